"""Drafting pages, included by brandkit/urls.py under /<agency_slug>/."""

from django.urls import path

from brandkit.drafting import views

JOB = "drafting/<int:job_id>/"

urlpatterns = [
    path("drafting/", views.drafting_job_list, name="drafting_job_list"),
    path("drafting/new/", views.drafting_job_new, name="drafting_job_new"),
    path("drafting/settings/", views.drafting_settings, name="drafting_settings"),
    path(JOB, views.drafting_job_detail, name="drafting_job_detail"),
    path(JOB + "cancel/", views.drafting_job_cancel, name="drafting_job_cancel"),
    path(JOB + "retry/", views.drafting_job_retry, name="drafting_job_retry"),
    path(JOB + "accept/", views.drafting_job_accept, name="drafting_job_accept"),
    path("content/<int:piece_id>/drafting/", views.piece_drafting, name="piece_drafting"),
    path("projects/<int:project_id>/expanded-brief/", views.expanded_brief, name="expanded_brief"),
]
