"""Placeholder: being written."""
from django.http import HttpResponse


def _todo(request, *a, **k):
    return HttpResponse("todo")


project_timeline = _todo
