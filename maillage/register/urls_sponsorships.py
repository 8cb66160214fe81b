from django.urls import path

from maillage.register import views_sponsorships as views

app_name = "sponsorships"

urlpatterns = [
    path("", views.sponsorship_list, name="list"),
    path("nouveau/", views.sponsorship_create, name="create"),
    path("<int:pk>/frequence/", views.sponsorship_frequency, name="frequency"),
    path("<int:pk>/espacement/annuler/", views.sponsorship_cancel_spacing, name="cancel_spacing"),
    path("<int:pk>/fin/", views.sponsorship_end, name="end"),
    path("mes-parrainages/", views.my_sponsorships, name="mine"),
]
