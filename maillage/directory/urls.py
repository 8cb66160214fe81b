from django.urls import path

from maillage.directory import views

app_name = "directory"

urlpatterns = [
    path("services/", views.service_list, name="service_list"),
    path("services/ajouter/", views.service_create, name="service_create"),
    path("services/<int:pk>/", views.service_detail, name="service_detail"),
    path("services/<int:pk>/modifier/", views.service_edit, name="service_edit"),
    path("services/<int:pk>/verifier/", views.service_verify, name="service_verify"),
    path("recherche/", views.search, name="search"),
    path("public/", views.public_search, name="public_search"),
    path("public/services/<int:pk>/", views.public_service_detail, name="public_service_detail"),
]
