"""The client portal's reporting pages, mounted at /portal/<agency_slug>/ by agencyops/urls.py."""

from django.urls import path

from reporting import dashboard_views, report_views

urlpatterns = [
    path(
        f"dashboards/{name}/",
        dashboard_views.portal_dashboard,
        {"name": name},
        name=f"portal_dashboard_{name}",
    )
    for name in ("campaigns", "website", "retainer")
] + [
    path("reports/", report_views.portal_report_list, name="portal_report_list"),
    path("reports/<int:issue_id>/pdf/", report_views.portal_report_pdf, name="portal_report_pdf"),
]
