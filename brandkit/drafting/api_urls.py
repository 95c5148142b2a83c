"""Drafting API routes, included by brandkit/api_urls.py under /api/v1/agencies/<agency_slug>/."""

from django.urls import path

from brandkit.drafting import api

JOB = "drafting-jobs/<int:job_id>/"

urlpatterns = [
    path("drafting-jobs/", api.DraftingJobListView.as_view(), name="api_drafting_job_list"),
    path(JOB, api.DraftingJobDetailView.as_view(), name="api_drafting_job_detail"),
    path(JOB + "cancel/", api.DraftingJobCancelView.as_view(), name="api_drafting_job_cancel"),
    path(JOB + "retry/", api.DraftingJobRetryView.as_view(), name="api_drafting_job_retry"),
]
