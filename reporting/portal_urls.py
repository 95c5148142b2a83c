"""The client portal's reporting pages, mounted at /portal/<agency_slug>/ by agencyops/urls.py."""

from django.urls import path

from reporting import dashboard_views, report_views, rows_behind

urlpatterns = (
    [
        path(
            f"dashboards/{name}/",
            dashboard_views.portal_dashboard,
            {"name": name},
            name=f"portal_dashboard_{name}",
        )
        for name in ("campaigns", "website", "retainer")
    ]
    + [
        # The rows behind a number of the client's dashboards: one route per source the portal shows.
        path(
            f"dashboards/rows/{source}/",
            dashboard_views.portal_rows_behind_page,
            {"source": source},
            name=f"portal_rows_{source}",
        )
        for source in rows_behind.PORTAL_SOURCES
    ]
    + [
        path("reports/", report_views.portal_report_list, name="portal_report_list"),
        path("reports/<int:issue_id>/pdf/", report_views.portal_report_pdf, name="portal_report_pdf"),
    ]
)
