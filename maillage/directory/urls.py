from django.urls import path

from maillage.directory import selection_views, views
from maillage.directory.interop import views as interop_views

app_name = "directory"

urlpatterns = [
    path("services/", views.service_list, name="service_list"),
    path("services/ajouter/", views.service_create, name="service_create"),
    path("services/<int:pk>/", views.service_detail, name="service_detail"),
    path("services/<int:pk>/modifier/", views.service_edit, name="service_edit"),
    path("services/<int:pk>/verifier/", views.service_verify, name="service_verify"),
    path("communes/", views.commune_suggestions, name="commune_suggestions"),
    path("recherche/", views.search, name="search"),
    path("recherche/selection/", selection_views.search_selection, name="search_selection"),
    path("recherche/imprimer/", selection_views.search_print, name="search_print"),
    path("recherche/envoyer/", selection_views.search_send, name="search_send"),
    path("public/", views.public_search, name="public_search"),
    path("public/selection/", selection_views.public_search_selection, name="public_search_selection"),
    path("public/imprimer/", selection_views.public_search_print, name="public_search_print"),
    path("public/envoyer/", selection_views.public_search_send, name="public_search_send"),
    path("public/services/<int:pk>/", views.public_service_detail, name="public_service_detail"),
    # Import and export (maillage.directory.interop)
    path("import-export/", interop_views.interop, name="interop"),
    path("import-export/imports/<int:pk>/", interop_views.import_job, name="import_job"),
    path("import-export/imports/<int:pk>/doublons/", interop_views.import_decide, name="import_decide"),
    path("import-export/imports/<int:pk>/annuler/", interop_views.import_cancel, name="import_cancel"),
    path("import-export/export/<str:fmt>/", interop_views.export, name="export"),
]
