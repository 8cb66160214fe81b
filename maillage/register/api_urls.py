"""/api/v1/: the callers' API (maillage.register.apis), namespace "register_api". Included before the
directory's API, whose last pattern answers every other address with a 404."""

from django.urls import path

from maillage.register import apis

app_name = "register_api"

urlpatterns = [
    path("campaigns/<int:pk>/next-call", apis.next_call, name="next_call"),
    path("calls/<int:pk>/outcome", apis.call_outcome, name="call_outcome"),
]
