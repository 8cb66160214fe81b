from django.urls import path

from maillage.people import views

app_name = "people"

urlpatterns = [
    path("personnes/", views.person_list, name="list"),
    path("personnes/nouvelle/", views.person_create, name="create"),
    path("personnes/acces-exceptionnel/", views.break_glass, name="break_glass"),
    path("personnes/<int:pk>/", views.person_detail, name="detail"),
    path("personnes/<int:pk>/modifier/", views.person_edit, name="edit"),
    path("personnes/<int:pk>/adresse/", views.address_set, name="address_set"),
    path("personnes/<int:pk>/telephone/", views.phone_add, name="phone_add"),
    path("personnes/<int:pk>/entourage/", views.relation_create, name="relation_create"),
    path("personnes/<int:pk>/consentements/", views.consent_create, name="consent_create"),
    path("personnes/<int:pk>/consentements/structures/", views.consent_partners, name="consent_partners"),
    path(
        "personnes/<int:pk>/consentements/<int:consent_pk>/retrait/", views.consent_withdraw, name="consent_withdraw"
    ),
    path("personnes/<int:pk>/fusion/", views.person_merge, name="merge"),
    path("personnes/<int:pk>/fusion/<int:duplicate_pk>/", views.person_merge_compare, name="merge_compare"),
    path("personnes/<int:pk>/fusion/<int:tombstone_pk>/annuler/", views.person_merge_undo, name="merge_undo"),
    path("personnes/<int:pk>/droit-d-acces.<str:fmt>", views.person_export, name="export"),
]
