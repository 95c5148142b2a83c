"""Placeholder: being written."""
from django.http import HttpResponse
def _todo(request, *a, **k): return HttpResponse("todo")
portal_index = portal_home = _todo
