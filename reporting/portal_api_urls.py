"""The portal API's reporting routes, mounted by agencyops/api/urls.py under /api/v1/portal/<agency_slug>/."""

from django.urls import path

from reporting import api_part2

urlpatterns = [
    path("reports/", api_part2.PortalReportListView.as_view(), name="api_portal_report_list"),
    path("reports/<int:pk>/pdf/", api_part2.PortalReportPdfView.as_view(), name="api_portal_report_pdf"),
]
