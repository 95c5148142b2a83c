"""Placeholder: being written."""
from django.http import HttpResponse


def _todo(request, *a, **k):
    return HttpResponse("todo")


template_from_project = template_list = template_edit = _todo
