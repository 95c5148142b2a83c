from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from agencyops import hooks
        from reporting import sections, tasks

        sections.register()
        # A drafting job writing an insight's prose finished: check its numbers and take it (or not).
        hooks.subscribe(hooks.DRAFTING_JOB_FINISHED, tasks.insight_prose_on_commit)
