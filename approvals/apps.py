from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "approvals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from approvals import activity, demo, risk_inputs, sections

        sections.register()
        activity.register()
        risk_inputs.register()
        demo.register()
