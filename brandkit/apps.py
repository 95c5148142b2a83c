from django.apps import AppConfig


class BrandkitConfig(AppConfig):
    name = "brandkit"
    verbose_name = "Brand layers, drafting and the library"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from agencyops import hooks
        from agencyops import sections as registry
        from brandkit.library import tasks as library_tasks
        from brandkit.library.portal_links import brand_files_link
        from projects.client_projects import PORTAL_LINKS

        # Approved work becomes the client's past work in the library (approvals knows nothing of it).
        hooks.subscribe(hooks.APPROVAL_REQUEST_APPROVED, library_tasks.file_approved_request_on_commit)
        # The portal home links to the brand files once one is shared.
        registry.contribution_register(
            registry.Contribution(target=PORTAL_LINKS, key="brand_files", order=10, load=brand_files_link)
        )
