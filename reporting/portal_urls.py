"""The client portal's reporting pages, mounted at /portal/<agency_slug>/ by agencyops/urls.py."""

from django.urls import path

from reporting import dashboard_views

urlpatterns = [
    path(
        f"dashboards/{name}/",
        dashboard_views.portal_dashboard,
        {"name": name},
        name=f"portal_dashboard_{name}",
    )
    for name in ("campaigns", "website", "retainer")
]
