from django.urls import path

from maillage.register import views_calls as views

app_name = "calls"

urlpatterns = [
    path("", views.my_calls, name="mine"),
    path("campagne/<int:campaign_pk>/suivant/", views.take_next, name="next"),
    path("campagne/<int:campaign_pk>/enregistre/", views.call_done, name="done"),
    path("<int:pk>/", views.call_detail, name="detail"),
]
