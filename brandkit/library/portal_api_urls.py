"""The portal's brand-file endpoints, mounted under /api/v1/portal/<agency_slug>/."""

from django.urls import path

from brandkit.library import api

urlpatterns = [
    path("brand-files/", api.PortalBrandFileListView.as_view(), name="api_portal_brand_files"),
    path(
        "brand-files/<int:pk>/download/",
        api.PortalBrandFileDownloadView.as_view(),
        name="api_portal_brand_file_download",
    ),
]
