from django.apps import AppConfig


class AgencyOpsConfig(AppConfig):
    name = "agencyops"
    verbose_name = "Platform: agencies, people and clients"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from agencyops import sections
        from agencyops.views.activity import client_activity

        # The platform's own section of the client page: the activity the apps register sources for.
        sections.section_register(
            sections.Section(
                page=sections.CLIENT,
                key="activity",
                order=90,
                template="agencyops/_activity.html#timeline",
                selector=client_activity,
            )
        )
