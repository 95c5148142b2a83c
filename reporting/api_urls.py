"""Reporting API routes, mounted at /api/v1/agencies/<agency_slug>/reporting/."""

from django.urls import path

from reporting import api

urlpatterns = [
    path("campaigns/", api.CampaignListView.as_view(), name="api_reporting_campaign_list"),
    path("campaigns/<int:pk>/", api.CampaignDetailView.as_view(), name="api_reporting_campaign_detail"),
    path(
        "campaigns/<int:pk>/changes/",
        api.CampaignChangeCreateView.as_view(),
        name="api_reporting_campaign_change",
    ),
    path(
        "campaigns/<int:pk>/targets/", api.CampaignTargetView.as_view(), name="api_reporting_campaign_target"
    ),
    path("campaigns/<int:pk>/links/", api.CampaignLinkView.as_view(), name="api_reporting_campaign_link"),
    path("imports/", api.ImportListView.as_view(), name="api_reporting_import_list"),
    path("imports/<int:pk>/", api.ImportDetailView.as_view(), name="api_reporting_import_detail"),
    path("imports/<int:pk>/confirm/", api.ImportConfirmView.as_view(), name="api_reporting_import_confirm"),
    path(
        "imports/<int:pk>/problems/", api.ImportProblemsView.as_view(), name="api_reporting_import_problems"
    ),
    path("column-mappings/", api.ColumnMappingListView.as_view(), name="api_reporting_column_mappings"),
    path("metrics/", api.MetricListView.as_view(), name="api_reporting_metrics"),
    path("kpis/", api.KpiListView.as_view(), name="api_reporting_kpis"),
    path("time-entries/", api.TimeEntryListView.as_view(), name="api_reporting_time_entry_list"),
    path("time-entries/<int:pk>/", api.TimeEntryDetailView.as_view(), name="api_reporting_time_entry_detail"),
    path(
        "time-entries/<int:pk>/stop/", api.TimeEntryStopView.as_view(), name="api_reporting_time_entry_stop"
    ),
]

# Part 2: dashboards (one route per dashboard), insights, weekly reports, alerts.
from reporting import api_part2  # noqa: E402

urlpatterns += [
    *[
        path(
            f"dashboards/{name}/",
            api_part2.DashboardView.as_view(),
            {"name": name},
            name=f"api_reporting_dashboard_{name}",
        )
        for name in ("campaigns", "content", "website", "retainer")
    ],
    path("insights/", api_part2.InsightListView.as_view(), name="api_reporting_insight_list"),
    path("insights/<int:pk>/", api_part2.InsightDetailView.as_view(), name="api_reporting_insight_detail"),
    path(
        "insights/<int:pk>/approve/",
        api_part2.InsightApproveView.as_view(),
        name="api_reporting_insight_approve",
    ),
    path(
        "report-definitions/",
        api_part2.ReportDefinitionListView.as_view(),
        name="api_reporting_report_definition_list",
    ),
    path("reports/", api_part2.ReportIssueListView.as_view(), name="api_reporting_report_list"),
    path("reports/<int:pk>/", api_part2.ReportIssueDetailView.as_view(), name="api_reporting_report_detail"),
    path("reports/<int:pk>/pdf/", api_part2.ReportIssuePdfView.as_view(), name="api_reporting_report_pdf"),
    path(
        "reports/<int:pk>/retry/", api_part2.ReportIssueRetryView.as_view(), name="api_reporting_report_retry"
    ),
    path("alerts/", api_part2.AlertListView.as_view(), name="api_reporting_alert_list"),
]
