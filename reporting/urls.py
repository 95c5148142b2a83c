"""Reporting pages, under /<agency_slug>/reports/ (plus time logging on tasks)."""

from django.urls import path

from reporting import views

urlpatterns = [
    path("reports/campaigns/", views.campaign_list, name="reporting_campaign_list"),
    path("reports/campaigns/<int:campaign_id>/", views.campaign_detail, name="reporting_campaign_detail"),
    path(
        "reports/campaigns/<int:campaign_id>/changes/",
        views.campaign_change_add,
        name="reporting_campaign_change_add",
    ),
    path(
        "reports/campaigns/<int:campaign_id>/targets/",
        views.campaign_target_set,
        name="reporting_campaign_target_set",
    ),
    path("reports/retainers/terms/", views.retainer_terms_set, name="reporting_retainer_terms"),
    path("reports/imports/", views.import_list, name="reporting_import_list"),
    path("reports/imports/<int:import_id>/", views.import_detail, name="reporting_import_detail"),
    path("reports/kpis/", views.kpi_overview, name="reporting_kpis"),
    path("reports/retainers/", views.retainer_hours, name="reporting_retainers"),
    path("reports/cost-rates/", views.cost_rates, name="reporting_cost_rates"),
    path("tasks/<int:task_id>/category/", views.task_category, name="task_category"),
    path("tasks/<int:task_id>/time/", views.task_time_log, name="task_time_log"),
    path("time/<int:time_entry_id>/stop/", views.time_entry_stop, name="time_entry_stop"),
]

# Part 2: dashboards (one route per dashboard, so every URL names what it shows) and insight drafts.
from reporting import dashboard_views, report_views  # noqa: E402

urlpatterns += [
    *[
        path(
            f"reports/dashboards/{name}/",
            dashboard_views.dashboard,
            {"name": name},
            name=f"reporting_dashboard_{name}",
        )
        for name in ("campaigns", "content", "website", "retainer")
    ],
    path("reports/internal-kpis/", dashboard_views.internal_kpi_page, name="reporting_internal_kpis"),
    path("reports/insights/", dashboard_views.insight_list, name="reporting_insight_list"),
    path(
        "reports/insights/<int:insight_id>/", dashboard_views.insight_detail, name="reporting_insight_detail"
    ),
    path(
        "reports/insights/<int:insight_id>/approve/",
        dashboard_views.insight_approve,
        name="reporting_insight_approve",
    ),
    # The rows behind a dashboard's number: one route per source, so every URL names what it lists.
    *[
        path(
            f"reports/clients/<int:client_id>/rows/{source.replace('_', '-')}/",
            dashboard_views.rows_behind_page,
            {"source": source},
            name=f"reporting_rows_{source}",
        )
        for source in ("facts", "tasks", "deadline_changes", "approvals", "time")
    ],
    path("reports/weekly/", report_views.report_list, name="reporting_report_list"),
    path(
        "reports/weekly/<int:issue_id>/retry/",
        report_views.report_issue_retry,
        name="reporting_report_issue_retry",
    ),
    path(
        "reports/weekly/<int:issue_id>/pdf/", report_views.report_issue_pdf, name="reporting_report_issue_pdf"
    ),
]
