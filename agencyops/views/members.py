"""Placeholder: being written."""
from django.http import HttpResponse
def _todo(request, *a, **k): return HttpResponse("todo")
member_list = member_invite = member_edit = member_remove = invitation_revoke = agency_settings = _todo
