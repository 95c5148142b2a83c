"""Brandkit's Celery tasks, found by the app's autodiscovery: drafting jobs (brandkit.drafting.tasks)."""

from brandkit.drafting.tasks import run_drafting_job

__all__ = ["run_drafting_job"]
