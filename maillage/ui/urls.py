from django.urls import path

from maillage.ui import views

app_name = "ui"

urlpatterns = [
    path("theme.css", views.theme_css, name="theme_css"),
    path("logo", views.logo, name="logo"),
    path("affichage/contraste/", views.contrast_toggle, name="contrast_toggle"),
]
