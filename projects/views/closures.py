"""Agency closures: days off on top of the working week and public holidays."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from agencyops import dates
from agencyops.tenancy import agency_view
from projects import services
from projects.calendars import agency_calendar, agency_today
from projects.models import AgencyClosure
from projects.permissions import can_manage_closures


class ClosureForm(forms.Form):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(max_length=120, required=False, help_text="e.g. Team offsite, Christmas shutdown")


@agency_view
def closure_list(request: HttpRequest) -> HttpResponse:
    """Closures ahead and the public holidays the agency's calendar already knows."""
    form = ClosureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.closure_add(
                actor=request.membership, day=form.cleaned_data["date"], name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Closure added. New plans and moved dates skip it.")
            return redirect("closure_list", agency_slug=request.agency.slug)
    today = agency_today(request.agency)
    calendar = agency_calendar(request.agency, around=today)
    holidays_ahead = sorted(d for d in calendar.holidays if today <= d <= today.replace(year=today.year + 1))
    return TemplateResponse(
        request,
        "projects/closures.html",
        {
            "form": form,
            "closures": AgencyClosure.objects.filter(date__gte=today).order_by("date"),
            "holidays_ahead": holidays_ahead,
            "can_edit": can_manage_closures(request.membership),
            "working_days": [
                dates.weekday_abbr(n) for n in range(7) if n in request.agency.working_weekdays
            ],
        },
    )


@agency_view(permission=can_manage_closures)
@require_POST
def closure_remove(request: HttpRequest, closure_id: int) -> HttpResponse:
    """Remove a closure."""
    closure = get_object_or_404(AgencyClosure, pk=closure_id)
    services.closure_remove(actor=request.membership, closure=closure)
    messages.success(request, f"{closure.date:%a %-d %b %Y} is a working day again.")
    return redirect("closure_list", agency_slug=request.agency.slug)
