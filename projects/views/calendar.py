"""Placeholder: being written."""
from django.http import HttpResponse


def _todo(request, *a, **k):
    return HttpResponse("todo")


calendar_settings = calendar_feed = _todo
