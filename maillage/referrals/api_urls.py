"""/api/v1/: the partner API (maillage.referrals.apis), namespace "referrals_api". Included before the
directory's API, whose last pattern answers every other address with a 404."""

from django.urls import path

from maillage.referrals import apis

app_name = "referrals_api"

urlpatterns = [
    path("referrals", apis.referral_list, name="list"),
    path("referrals/<int:pk>", apis.referral_detail, name="detail"),
    path("referrals/<int:pk>/receive", apis.referral_receive, name="receive"),
    path("referrals/<int:pk>/accept", apis.referral_accept, name="accept"),
    path("referrals/<int:pk>/decline", apis.referral_decline, name="decline"),
    path("referrals/<int:pk>/redirect", apis.referral_redirect, name="redirect"),
    path("referrals/<int:pk>/start", apis.referral_start, name="start"),
    path("referrals/<int:pk>/close", apis.referral_close, name="close"),
]
