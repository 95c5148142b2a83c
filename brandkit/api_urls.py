"""The brandkit layer's API routes, mounted by agencyops/api/urls.py under /api/v1/agencies/<agency_slug>/.

Kwargs are named as in brandkit/urls.py (``client_id``, ``piece_id``) so the isolation walker probes the
pages and the API the same way.
"""

from django.urls import include, path

from brandkit import api

BRAND = "clients/<int:client_id>/brand/"

urlpatterns = [
    path(BRAND, api.BrandLayerView.as_view(), name="api_brand"),
    path(BRAND + "versions/", api.BrandVersionListView.as_view(), name="api_brand_versions"),
    path(BRAND + "library-files/", api.BrandFilesView.as_view(), name="api_brand_files"),
    path(BRAND + "compare/", api.BrandCompareView.as_view(), name="api_brand_compare"),
    path(BRAND + "export/", api.BrandExportView.as_view(), name="api_brand_export"),
    path(BRAND + "import/", api.BrandImportView.as_view(), name="api_brand_import"),
    path(BRAND + "vale/", api.BrandValeView.as_view(), name="api_brand_vale"),
    path("content/", api.ContentListView.as_view(), name="api_content_list"),
    path("content/<int:piece_id>/", api.ContentDetailView.as_view(), name="api_content_detail"),
    path(
        "content/<int:piece_id>/versions/", api.ContentVersionListView.as_view(), name="api_content_versions"
    ),
    path("content/<int:piece_id>/check/", api.ContentCheckView.as_view(), name="api_content_check"),
    path(
        "content/<int:piece_id>/transitions/",
        api.ContentTransitionView.as_view(),
        name="api_content_transition",
    ),
    path("check/", api.CheckTextView.as_view(), name="api_check_text"),
    # AI drafting jobs (issue 13)
    path("", include("brandkit.drafting.api_urls")),
]
