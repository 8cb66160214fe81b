from django.urls import path

from maillage.register import views_campaigns as views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("nouvelle/", views.campaign_create, name="create"),
    path("nouvelle/nombre/", views.campaign_count, name="count"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/guide/", views.campaign_script, name="script"),
    path("<int:pk>/appelants/", views.campaign_callers, name="callers"),
    path("<int:pk>/ouvrir/", views.campaign_open, name="open"),
    path("<int:pk>/terminer/", views.campaign_close, name="close"),
    path("<int:pk>/repartir/", views.campaign_dispatch, name="dispatch"),
    path("<int:pk>/fiches/", views.campaign_sheets, name="sheets"),
    path("<int:pk>/fiches/<str:who>/", views.campaign_sheets_pdf, name="sheets_pdf"),
    path("<int:pk>/saisie/<int:caller_pk>/", views.campaign_reentry, name="reentry"),
]
