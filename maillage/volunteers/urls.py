from django.urls import path

from maillage.volunteers import views

app_name = "volunteers"

urlpatterns = [
    path("charte/", views.charter, name="charter"),
    path("disponibilites/", views.availability, name="availability"),
    path("disponibilites/langues/", views.languages, name="languages"),
    path("disponibilites/<int:pk>/retirer/", views.slot_delete, name="slot_delete"),
    path("appelants/", views.caller_list, name="caller_list"),
    path("appelants/<int:pk>/retirer/", views.caller_deactivate, name="caller_deactivate"),
]
