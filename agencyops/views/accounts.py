"""Placeholder: being written."""
from django.http import HttpResponse
def _todo(request, *a, **k): return HttpResponse("todo")
login_view = logout_view = password_reset = password_reset_done = password_reset_confirm = password_reset_complete = signup = invitation_accept = _todo
