from django.apps import AppConfig


class BrandkitConfig(AppConfig):
    name = "brandkit"
    default_auto_field = "django.db.models.BigAutoField"
