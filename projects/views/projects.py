"""Placeholder: being written."""
from django.http import HttpResponse


def _todo(request, *a, **k):
    return HttpResponse("todo")


project_list = project_create = project_detail = brief_edit = project_status = project_settings = _todo
project_history = input_create = input_received = _todo
