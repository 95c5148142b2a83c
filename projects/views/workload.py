"""Placeholder: being written."""
from django.http import HttpResponse


def _todo(request, *a, **k):
    return HttpResponse("todo")


my_work = workload = _todo
