from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "approvals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from agencyops.inbound.registry import register_reply_target, register_resolver
        from approvals import activity, demo, project_hooks, risk_inputs, sections
        from approvals.inbound import REQUEST_TARGET, file_on_request, request_client_id

        sections.register()
        activity.register()
        risk_inputs.register()
        demo.register()
        # Client mail reaching the platform's inbox is filed on requests by approvals' own resolver.
        register_resolver(REQUEST_TARGET, file_on_request, order=10)
        register_reply_target(
            "approvals.approvalrequest", inbound_target=REQUEST_TARGET, client_id_of=request_client_id
        )
        # The project layer's page section and launch-move follow-up (projects never imports approvals).
        project_hooks.register()
