from django.urls import path

from maillage.register.views import entries, public

app_name = "register"

urlpatterns = [
    # The register manager's.
    path("", entries.entry_list, name="list"),
    path("a-confirmer/", entries.entry_to_confirm, name="to_confirm"),
    path("inscrire/", entries.entry_create, name="create"),
    path("saisie-formulaire-papier/", entries.paper_entry, name="paper_entry"),
    path("inscriptions/<int:pk>/", entries.entry_detail, name="detail"),
    path("inscriptions/<int:pk>/modifier/", entries.entry_edit, name="edit"),
    path("inscriptions/<int:pk>/consentement/", entries.entry_consent, name="consent"),
    path("inscriptions/<int:pk>/suspendre/", entries.entry_suspend, name="suspend"),
    path("inscriptions/<int:pk>/reprendre/", entries.entry_resume, name="resume"),
    path("inscriptions/<int:pk>/radier/", entries.entry_remove, name="remove"),
    path("inscriptions/<int:pk>/confirmer/", entries.entry_confirm, name="confirm"),
    # Public: no login.
    path("s-inscrire/", public.public_index, name="public_index"),
    path("s-inscrire/<int:organisation_pk>/", public.public_request, name="public_request"),
    path("s-inscrire/<int:organisation_pk>/envoyee/", public.public_request_done, name="public_request_done"),
    path("s-inscrire/<int:organisation_pk>/formulaire.pdf", public.paper_form_pdf, name="paper_form"),
    path("signaler/<int:organisation_pk>/", public.public_report, name="public_report"),
    path("signaler/<int:organisation_pk>/envoye/", public.public_report_done, name="public_report_done"),
]
