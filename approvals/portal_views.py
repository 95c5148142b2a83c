"""Placeholder: being written."""
from django.http import HttpResponse


def _todo(request, *a, **k):
    return HttpResponse("todo")


portal_approval = portal_comment_create = portal_decide = portal_advise = portal_request_revision = _todo
portal_version_file = portal_version_page = portal_decision_log = portal_change_request = _todo
