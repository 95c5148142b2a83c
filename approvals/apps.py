from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "approvals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The project layer's page section and launch-move follow-up (projects never imports approvals).
        from approvals.project_hooks import register

        register()
