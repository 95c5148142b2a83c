"""The URL map. Agency pages live under /<agency_slug>/ (see agencyops.validation for reserved words)."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from agencyops.inbound import views as inbound
from agencyops.views import accounts, clients, health, home, members, notifications, portal, uploads
from agencyops.views import inbound as inbound_pages

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
    path(
        "accounts/unsubscribe/<str:token>/",
        notifications.notification_unsubscribe,
        name="notification_unsubscribe",
    ),
    # Client portal: its own URL space and templates
    path("portal/", portal.portal_index, name="portal_index"),
    path("portal/<slug:agency_slug>/", portal.portal_home, name="portal_home"),
    path("portal/<slug:agency_slug>/branding.css", portal.portal_branding_css, name="portal_branding_css"),
    path("portal/<slug:agency_slug>/logo/", portal.portal_logo, name="portal_logo"),
    path(
        "portal/<slug:agency_slug>/notifications/settings/",
        notifications.portal_notification_settings,
        name="portal_notification_settings",
    ),
    path("portal/<slug:agency_slug>/", include("approvals.portal_urls")),
    path("portal/<slug:agency_slug>/", include("brandkit.portal_urls")),
    path("portal/<slug:agency_slug>/brand-files/", include("brandkit.library.portal_urls")),
    # Inbound client mail and chat: no session, a shared secret or the client's token authenticates.
    path("inbound/email/", inbound.inbound_email_webhook, name="inbound_email_webhook"),
    path("hooks/chat/<str:token>/", inbound.chat_webhook, name="chat_webhook"),
    # Product apps are included by module name: the platform imports none of them.
    path("", include("projects.feed_urls")),
    path("portal/<slug:agency_slug>/", include("reporting.portal_urls")),
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
    path(
        "<slug:agency_slug>/clients/<int:client_id>/inbound-address/",
        inbound_pages.client_inbound_address,
        name="client_inbound_address",
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
    # The caller's own notifications (the bell) and how they want to hear about things
    path("<slug:agency_slug>/me/notifications/", notifications.notification_list, name="my_notifications"),
    path(
        "<slug:agency_slug>/me/notifications/<int:notification_id>/read/",
        notifications.notification_read,
        name="notification_read",
    ),
    path(
        "<slug:agency_slug>/me/notifications/read-all/",
        notifications.notifications_read_all,
        name="notifications_read_all",
    ),
    path(
        "<slug:agency_slug>/me/notifications/settings/",
        notifications.notification_settings,
        name="notification_settings",
    ),
    path("<slug:agency_slug>/logo/", uploads.agency_logo, name="agency_logo"),
    path("<slug:agency_slug>/clients/<int:client_id>/logo/", uploads.client_logo, name="client_logo"),
    path("<slug:agency_slug>/", include("projects.urls")),
    path("<slug:agency_slug>/", include("approvals.urls")),
    path("<slug:agency_slug>/", include("brandkit.urls")),
    path("<slug:agency_slug>/", include("reporting.urls")),
    path("<slug:agency_slug>/library/", include("brandkit.library.urls")),
]

# Unmatched /api/… addresses answer the API's JSON 404; every other address keeps the HTML page.
handler404 = "agencyops.api.errors.api_aware_page_not_found"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
