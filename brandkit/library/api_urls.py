"""Library endpoints, mounted under /api/v1/agencies/<agency_slug>/ and /api/v1/portal/<agency_slug>/."""

from django.urls import path

from brandkit.library import api

urlpatterns = [
    path("library/", api.LibraryListView.as_view(), name="api_library_list"),
    path("library/<int:pk>/", api.LibraryItemView.as_view(), name="api_library_item"),
    path("library/<int:pk>/versions/", api.LibraryVersionListView.as_view(), name="api_library_versions"),
    path(
        "library/<int:pk>/versions/<int:library_version_id>/download/",
        api.LibraryVersionDownloadView.as_view(),
        name="api_library_version_download",
    ),
]
