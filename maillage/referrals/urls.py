from django.urls import path

from maillage.referrals import figures_views, first_contact_views, views

app_name = "referrals"

urlpatterns = [
    path("personnes/<int:person_pk>/orienter/", views.referral_create, name="create"),
    path("orientations/nouvelle/service/<int:service_pk>/", views.choose_person, name="choose_person"),
    path("orientations/envoyees/<int:pk>/", views.sent_detail, name="sent_detail"),
    path("orientations/envoyees/<int:pk>/annuler/", views.cancel, name="cancel"),
    path("orientations/envoyees/<int:pk>/envoyer/", views.send_draft, name="send_draft"),
    path(
        "orientations/envoyees/<int:pk>/premier-contact/",
        first_contact_views.sent_first_contact,
        name="sent_first_contact",
    ),
    path("orientations/chiffres/", figures_views.referral_figures, name="figures"),
    path("orientations/recues/", views.inbox, name="inbox"),
    path("orientations/recues/<int:pk>/", views.received_detail, name="received_detail"),
    # Before the answers' pattern, which would take « premier-contact » for an action.
    path(
        "orientations/recues/<int:pk>/premier-contact/",
        first_contact_views.received_first_contact,
        name="received_first_contact",
    ),
    path("orientations/recues/<int:pk>/<slug:action>/", views.respond, name="respond"),
    path("orientations/recues/<int:pk>/documents/<int:document_pk>/", views.shared_document, name="shared_document"),
    path("orientations/lien/<str:token>/ouvrir/", views.link_open, name="link_open"),
    path("orientations/lien/code/", views.link_code, name="link_code"),
    path("orientations/lien/orientation/", views.link_detail, name="link_detail"),
    path(
        "orientations/lien/orientation/premier-contact/",
        first_contact_views.link_first_contact,
        name="link_first_contact",
    ),
    path("orientations/lien/orientation/documents/<int:document_pk>/", views.link_document, name="link_document"),
    path("orientations/lien/orientation/<slug:action>/", views.link_respond, name="link_respond"),
]
