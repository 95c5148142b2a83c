"""Placeholder: being written."""
from django.http import HttpResponse
def _todo(request, *a, **k): return HttpResponse("todo")
client_list = client_create = client_detail = client_edit = client_status = contact_create = contact_edit = contact_invite = _todo
