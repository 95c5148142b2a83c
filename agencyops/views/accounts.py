"""Logging in and out, password reset, starting an agency and accepting an invitation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from agencyops.forms.accounts import InvitationAcceptForm, LoginForm, SignupForm, add_service_errors
from agencyops.mail import Mail, mail_queue
from agencyops.models import InvitationKind, User
from agencyops.services import accounts, api_tokens

# Sessions started here name a backend explicitly: axes' backend only checks, never authenticates.
SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _public(view: Any) -> Any:
    """Mark a view as outside any tenant (the URL-walking security test reads this)."""
    view.tenant_policy = "public"
    return view


login_view = _public(
    auth_views.LoginView.as_view(
        template_name="accounts/login.html",
        authentication_form=LoginForm,
        redirect_authenticated_user=True,
    )
)


@_public
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """End the session (POST only, so a link or an image cannot log anyone out)."""
    logout(request)
    messages.info(request, "You are logged out.")
    return redirect("login")


class _QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, its mail sent by the mail task (a mail server outage is not the visitor's error)."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None):  # noqa: E501
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        mail_queue(Mail(to=to_email, subject=subject, text=render_to_string(email_template_name, context)), after_commit=False)


class _PasswordResetView(auth_views.PasswordResetView):
    """Mails a reset link to an active account; answers the same whether or not the address has one."""

    form_class = _QueuedPasswordResetForm

    template_name = "accounts/password_reset.html"
    email_template_name = "emails/password_reset.txt"
    subject_template_name = "emails/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        # Links point at SITE_URL, never at the Host header a visitor sent.
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)


password_reset = _public(_PasswordResetView.as_view())
password_reset_done = _public(
    auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
)
class _PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's reset, which also ends the person's sessions; their API tokens are revoked with them."""

    def form_valid(self, form):
        response = super().form_valid(form)
        api_tokens.api_tokens_revoke_all(user=form.user)
        return response


password_reset_confirm = _public(
    _PasswordResetConfirmView.as_view(
        template_name="accounts/password_reset_confirm.html",
        success_url=reverse_lazy("password_reset_complete"),
    )
)
password_reset_complete = _public(
    auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html")
)


@_public
def signup(request: HttpRequest) -> HttpResponse:
    """Start an agency: a new account and agency, or another agency for someone already logged in."""
    signed_in = request.user.is_authenticated
    if request.method == "GET" and request.htmx and "name" in request.GET:
        return _suggested_slug(request, signed_in=signed_in)
    form = SignupForm(request.POST if request.method == "POST" else None, signed_in=signed_in)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        owner = request.user if signed_in else None
        try:
            membership = accounts.agency_create(
                name=data["name"],
                slug=data["slug"] or accounts.suggest_agency_slug(data["name"]),
                time_zone=data["time_zone"],
                country=data["country"],
                owner=owner,
                owner_email=owner.email if owner else data["owner_email"],
                owner_name=owner.full_name if owner else data["owner_name"],
                owner_password=None if owner else data["owner_password"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if not signed_in:
                login(request, membership.user, backend=SESSION_BACKEND)
            messages.success(
                request,
                f"Welcome to AgencyOps! {membership.agency.name} is ready. "
                "Add your first client, then invite your team.",
            )
            return redirect("home", agency_slug=membership.agency.slug)
    return TemplateResponse(request, "accounts/signup.html", {"form": form, "signed_in": signed_in})


def _suggested_slug(request: HttpRequest, *, signed_in: bool) -> HttpResponse:
    """htmx: the web-address input again, its placeholder suggesting an address for the typed name."""
    name = request.GET.get("name", "").strip()
    form = SignupForm(initial={"slug": request.GET.get("slug", "")}, signed_in=signed_in)
    if name:
        form.fields["slug"].widget.attrs["placeholder"] = accounts.suggest_agency_slug(name)
    return TemplateResponse(request, "accounts/signup.html#slug_input", {"form": form})


def _invitation_refused(request: HttpRequest, error: ValidationError) -> HttpResponse:
    """The page for a link that cannot be used, saying why."""
    status = {"invalid": 404, "foreign": 403}.get(error.code or "", 410)
    return TemplateResponse(
        request,
        "accounts/invitation_invalid.html",
        {"message": error.messages[0], "foreign": error.code == "foreign"},
        status=status,
    )


@_public
def _authenticate_for_invitation(request: HttpRequest, invitation, password: str | None):
    existing = User.objects.filter(email__iexact=invitation.email).first()
    if existing is None or not password:
        return None
    return authenticate(request, username=existing.email, password=password)


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Join an agency (or a client's portal) from an emailed link."""
    try:
        invitation = accounts.invitation_for_token(token)
        if request.user.is_authenticated:
            accounts.invitation_check_recipient(invitation=invitation, user=request.user)
    except ValidationError as exc:
        return _invitation_refused(request, exc)

    if request.user.is_authenticated:
        mode = InvitationAcceptForm.SIGNED_IN
    elif User.objects.filter(email__iexact=invitation.email).exists():
        mode = InvitationAcceptForm.EXISTING_ACCOUNT
    else:
        mode = InvitationAcceptForm.NEW_ACCOUNT
    form = InvitationAcceptForm(request.POST if request.method == "POST" else None, mode=mode)
    if request.method == "POST" and form.is_valid():
        signing_in = request.user if request.user.is_authenticated else None
        if mode == InvitationAcceptForm.EXISTING_ACCOUNT:
            # The password step is a login: through authenticate(), so axes counts failures and locks out
            # exactly as on the login page (its middleware answers with the lockout page).
            signing_in = _authenticate_for_invitation(request, invitation, form.cleaned_data.get("password"))
            if signing_in is None:
                form.add_error("password", "An account with this email exists: enter its password to accept.")
                return TemplateResponse(
                    request,
                    "accounts/invitation_accept.html",
                    {"invitation": invitation, "form": form, "mode": mode},
                )
        try:
            user = accounts.invitation_accept(
                token=token,
                full_name=form.cleaned_data.get("full_name", ""),
                password=form.cleaned_data.get("password"),
                user=signing_in,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                add_service_errors(form, exc)
            else:
                return _invitation_refused(request, exc)
        else:
            if not request.user.is_authenticated:
                login(request, user, backend=SESSION_BACKEND)
            if invitation.kind == InvitationKind.CLIENT_CONTACT:
                messages.success(request, f"Welcome! Work from {invitation.agency.name} awaits you here.")
                return redirect("portal_index")
            messages.success(request, f"Welcome to {invitation.agency.name}!")
            return redirect("home", agency_slug=invitation.agency.slug)
    return TemplateResponse(
        request,
        "accounts/invitation_accept.html",
        {"invitation": invitation, "form": form, "mode": mode},
    )
