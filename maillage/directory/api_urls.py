"""/api/v1/: the public directory API (maillage.directory.apis), namespace "api"."""

from django.urls import path, re_path

from maillage.directory import api_docs, apis

app_name = "api"

urlpatterns = [
    path("", api_docs.docs, name="docs"),
    path("openapi.json", api_docs.openapi, name="openapi"),
    path("services", apis.service_list, name="service_list"),
    path("services/<int:pk>", apis.service_detail, name="service_detail"),
    path("organizations", apis.organization_list, name="organization_list"),
    path("organizations/<int:pk>", apis.organization_detail, name="organization_detail"),
    path("taxonomies", apis.taxonomy_list, name="taxonomy_list"),
    path("taxonomy_terms", apis.taxonomy_term_list, name="taxonomy_term_list"),
    re_path(r"^(?P<rest>.*)$", apis.not_found),
]
