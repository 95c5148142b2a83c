"""Placeholder: being written."""
from django.http import HttpResponse


def _todo(request, *a, **k):
    return HttpResponse("todo")


approval_list = approval_create = approval_detail = approval_send = approval_signoff = version_create = _todo
version_compare = comment_create = comment_resolve = feedback_capture = approval_revision = version_file = _todo
version_page = decision_log = decision_log_csv = decision_log_pdf = decision_create = change_request_list = _todo
change_request_detail = notification_list = _todo
