"""The REST API of the platform layer (DRF), under /api/v1/, with its OpenAPI schema and Swagger UI."""

from django.urls import include, path

from agencyops.api import views
from agencyops.api.docs import DocsView, SchemaView

AGENCY = "v1/agencies/<slug:agency_slug>/"

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="api-schema"),
    # The split view serves its JavaScript as a separate file, so the no-inline-script CSP holds.
    path(
        "docs/",
        DocsView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
    path("v1/auth/token/", views.TokenCreateView.as_view(), name="api_token"),
    path("v1/agencies/", views.AgencyListView.as_view(), name="api_agency_list"),
    path(AGENCY + "clients/", views.ClientListView.as_view(), name="api_client_list"),
    path(AGENCY + "clients/<int:pk>/", views.ClientDetailView.as_view(), name="api_client_detail"),
    path(AGENCY + "members/", views.MemberListView.as_view(), name="api_member_list"),
    path(AGENCY + "members/<int:pk>/", views.MemberDetailView.as_view(), name="api_member_detail"),
    path(AGENCY + "contacts/", views.ContactListView.as_view(), name="api_contact_list"),
    path(AGENCY + "contacts/<int:pk>/", views.ContactDetailView.as_view(), name="api_contact_detail"),
    path("v1/agencies/<slug:agency_slug>/", include("projects.api_urls")),
    path("v1/agencies/<slug:agency_slug>/", include("approvals.api_urls")),
    path("v1/agencies/<slug:agency_slug>/", include("brandkit.api_urls")),
    path("v1/portal/<slug:agency_slug>/", include("approvals.portal_api_urls")),
    path("v1/agencies/<slug:agency_slug>/", include("brandkit.library.api_urls")),
    path("v1/portal/<slug:agency_slug>/", include("brandkit.library.portal_api_urls")),
    path("v1/portal/<slug:agency_slug>/", include("reporting.portal_api_urls")),
    path("v1/agencies/<slug:agency_slug>/reporting/", include("reporting.api_urls")),
]

# The agency's calendar settings and portal invitations (agencyops/api/agency_settings.py).
from agencyops.api import agency_settings  # noqa: E402  (appended with its routes)

urlpatterns += [
    path(AGENCY + "settings/", agency_settings.AgencySettingsView.as_view(), name="api_agency_settings"),
    path(
        AGENCY + "contacts/<int:pk>/invite/",
        agency_settings.ContactInviteView.as_view(),
        name="api_contact_invite",
    ),
]
