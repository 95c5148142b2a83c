from django.apps import AppConfig


class BrandkitConfig(AppConfig):
    name = "brandkit"
    verbose_name = "Brand layers, drafting and the library"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from agencyops import hooks
        from brandkit.library import tasks as library_tasks

        # Approved work becomes the client's past work in the library (approvals knows nothing of it).
        hooks.subscribe(hooks.APPROVAL_REQUEST_APPROVED, library_tasks.file_approved_request_on_commit)
