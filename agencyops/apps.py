from django.apps import AppConfig


class AgencyOpsConfig(AppConfig):
    name = "agencyops"
    verbose_name = "Platform: agencies, people and clients"
    default_auto_field = "django.db.models.BigAutoField"
