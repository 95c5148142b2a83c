"""The URL map. Agency pages live under /<agency_slug>/ (see agencyops.validation for reserved words)."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from agencyops.views import accounts, clients, health, home, members, portal
from projects.urls import feed_urlpatterns as project_feed_urlpatterns

urlpatterns = [
    path("", home.start, name="start"),
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("agencyops.api.urls")),
    # Accounts
    path("accounts/login/", accounts.login_view, name="login"),
    path("accounts/logout/", accounts.logout_view, name="logout"),
    path("accounts/password-reset/", accounts.password_reset, name="password_reset"),
    path("accounts/password-reset/sent/", accounts.password_reset_done, name="password_reset_done"),
    path("accounts/reset/<uidb64>/<token>/", accounts.password_reset_confirm, name="password_reset_confirm"),
    path("accounts/reset/done/", accounts.password_reset_complete, name="password_reset_complete"),
    path("signup/", accounts.signup, name="signup"),
    path("invitations/<str:token>/", accounts.invitation_accept, name="invitation_accept"),
    # Client portal: its own URL space and templates
    path("portal/", portal.portal_index, name="portal_index"),
    path("portal/<slug:agency_slug>/", portal.portal_home, name="portal_home"),
    path("portal/<slug:agency_slug>/", include("approvals.portal_urls")),
    path("portal/<slug:agency_slug>/", include("reporting.portal_urls")),
    *project_feed_urlpatterns,
    # Agency pages
    path("<slug:agency_slug>/", home.home, name="home"),
    path("<slug:agency_slug>/clients/", clients.client_list, name="client_list"),
    path("<slug:agency_slug>/clients/new/", clients.client_create, name="client_create"),
    path("<slug:agency_slug>/clients/<int:client_id>/", clients.client_detail, name="client_detail"),
    path("<slug:agency_slug>/clients/<int:client_id>/edit/", clients.client_edit, name="client_edit"),
    path("<slug:agency_slug>/clients/<int:client_id>/status/", clients.client_status, name="client_status"),
    path(
        "<slug:agency_slug>/clients/<int:client_id>/contacts/new/",
        clients.contact_create,
        name="contact_create",
    ),
    path(
        "<slug:agency_slug>/clients/<int:client_id>/contacts/<int:contact_id>/edit/",
        clients.contact_edit,
        name="contact_edit",
    ),
    path(
        "<slug:agency_slug>/clients/<int:client_id>/contacts/<int:contact_id>/invite/",
        clients.contact_invite,
        name="contact_invite",
    ),
    path("<slug:agency_slug>/team/", members.member_list, name="member_list"),
    path("<slug:agency_slug>/team/invite/", members.member_invite, name="member_invite"),
    path("<slug:agency_slug>/team/<int:membership_id>/edit/", members.member_edit, name="member_edit"),
    path("<slug:agency_slug>/team/<int:membership_id>/remove/", members.member_remove, name="member_remove"),
    path(
        "<slug:agency_slug>/team/invitations/<int:invitation_id>/revoke/",
        members.invitation_revoke,
        name="invitation_revoke",
    ),
    path("<slug:agency_slug>/settings/", members.agency_settings, name="agency_settings"),
    path("<slug:agency_slug>/", include("projects.urls")),
    path("<slug:agency_slug>/", include("approvals.urls")),
    path("<slug:agency_slug>/", include("reporting.urls")),
    # Sections that later layers fill in; each says what will appear and how to start.
    path("<slug:agency_slug>/drafts/", home.section, {"section": "drafts"}, name="draft_list"),
    path("<slug:agency_slug>/library/", home.section, {"section": "library"}, name="library"),
    path("<slug:agency_slug>/reports/", home.section, {"section": "reports"}, name="report_list"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
