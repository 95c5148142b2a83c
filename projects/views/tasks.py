"""Placeholder: being written."""
from django.http import HttpResponse


def _todo(request, *a, **k):
    return HttpResponse("todo")


task_detail = task_status = task_reschedule = task_assign = task_decision = dependency_create = dependency_remove = _todo
