"""The team pages (who works here, invitations, roles) and the agency's settings."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse

from agencyops.forms.accounts import add_service_errors
from agencyops.forms.members import AgencySettingsForm, MemberForm, MemberInviteForm
from agencyops.models import Invitation, InvitationKind, Membership
from agencyops.permissions import can_manage_members, is_owner
from agencyops.selectors.members import members_for_team_page
from agencyops.services import accounts
from agencyops.tenancy import agency_view


def _active_membership(membership_id: int) -> Membership:
    # Inside the tenant scope: another agency's seat is a 404, like a missing one.
    return get_object_or_404(Membership.objects.select_related("user"), pk=membership_id, is_active=True)


@agency_view
def member_list(request: HttpRequest) -> HttpResponse:
    """Everyone in the agency, pending invitations and people who left; owners also get the controls."""
    return TemplateResponse(
        request,
        "agencyops/member_list.html",
        {
            "team": members_for_team_page(request.agency),
            "can_manage": can_manage_members(request.membership),
        },
    )


@agency_view(permission=can_manage_members)
def member_invite(request: HttpRequest) -> HttpResponse:
    """Owners invite a person by email with their role, discipline and weekly capacity."""
    form = MemberInviteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = accounts.invitation_create(actor=request.membership, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"Invitation sent to {issued.invitation.email}. "
                f"The link works once, for {settings.INVITATION_VALID_DAYS} days.",
            )
            return redirect("member_list", agency_slug=request.agency.slug)
    return TemplateResponse(request, "agencyops/member_invite.html", {"form": form})


@agency_view(permission=can_manage_members)
def member_edit(request: HttpRequest, membership_id: int) -> HttpResponse:
    """Owners change a member's role, discipline or weekly capacity."""
    membership = _active_membership(membership_id)
    form = MemberForm(
        request.POST if request.method == "POST" else None,
        initial={
            "role": membership.role,
            "discipline": membership.discipline,
            "weekly_capacity_hours": membership.weekly_capacity_hours,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            accounts.membership_update(actor=request.membership, membership=membership, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Saved {membership.user}'s role and capacity.")
            return redirect("member_list", agency_slug=request.agency.slug)
    return TemplateResponse(request, "agencyops/member_edit.html", {"form": form, "membership": membership})


@agency_view(permission=can_manage_members)
def member_remove(request: HttpRequest, membership_id: int) -> HttpResponse:
    """Owners take a person off the team: a confirmation page, then the removal on POST."""
    membership = _active_membership(membership_id)
    error = ""
    if request.method == "POST":
        try:
            accounts.membership_remove(actor=request.membership, membership=membership)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            if membership.pk == request.membership.pk:
                messages.success(request, f"You have left {request.agency.name}.")
                return redirect("start")
            messages.success(request, f"{membership.user} has been removed from the team.")
            return redirect("member_list", agency_slug=request.agency.slug)
    return TemplateResponse(
        request,
        "agencyops/member_remove.html",
        {"membership": membership, "error": error, "is_self": membership.pk == request.membership.pk},
        status=409 if error else 200,
    )


@agency_view(permission=can_manage_members)
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    """Owners withdraw a pending team invitation: a confirmation page, then the revocation on POST."""
    invitation = get_object_or_404(
        Invitation,
        pk=invitation_id,
        kind=InvitationKind.MEMBER,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    )
    if request.method == "POST":
        accounts.invitation_revoke(actor=request.membership, invitation=invitation)
        messages.success(
            request, f"The invitation to {invitation.email} was withdrawn; its link no longer works."
        )
        return redirect("member_list", agency_slug=request.agency.slug)
    return TemplateResponse(request, "agencyops/member_invitation_revoke.html", {"invitation": invitation})


@agency_view(permission=is_owner)
def agency_settings(request: HttpRequest) -> HttpResponse:
    """Owners edit the agency's name, logo, calendar and approval terms."""
    posted = request.method == "POST"
    form = AgencySettingsForm(
        request.POST if posted else None, request.FILES if posted else None, agency=request.agency
    )
    if request.method == "POST" and form.is_valid():
        try:
            accounts.agency_update(actor=request.membership, agency=request.agency, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Agency settings saved.")
            return redirect("agency_settings", agency_slug=request.agency.slug)
    return TemplateResponse(
        request, "agencyops/agency_settings.html", {"form": form, "agency": request.agency}
    )
