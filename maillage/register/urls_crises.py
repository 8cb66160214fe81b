from django.urls import path

from maillage.register import views_crises as views

app_name = "crises"

urlpatterns = [
    path("", views.crisis_list, name="list"),
    path("declencher/", views.crisis_activate, name="activate"),
    path("<int:pk>/", views.crisis_detail, name="detail"),
    path("<int:pk>/lever/", views.crisis_end, name="end"),
    path("<int:pk>/transmission-prefet/", views.crisis_transmission, name="transmission"),
    path("<int:pk>/tableau/", views.crisis_dashboard, name="dashboard"),
    path("alertes/<int:pk>/traiter/", views.escalation_handle, name="escalation_handle"),
]
