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
