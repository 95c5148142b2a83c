from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from agencyops import sections as registry
        from projects.client_projects import PORTAL_LINKS
        from reporting.portal_links import reports_link

        # The portal home links to the reports once one has been sent.
        registry.contribution_register(
            registry.Contribution(target=PORTAL_LINKS, key="reports", order=20, load=reports_link)
        )
        from agencyops import hooks
        from reporting import sections, tasks

        sections.register()
        # A drafting job writing an insight's prose finished: check its numbers and take it (or not).
        hooks.subscribe(hooks.DRAFTING_JOB_FINISHED, tasks.insight_prose_on_commit)
