from django.urls import path

from maillage.core.views import api_keys, audit, auth, invitations, organisations, pages

app_name = "core"

urlpatterns = [
    path("", pages.home, name="home"),
    path("tableau-de-bord/", pages.dashboard, name="dashboard"),
    # Authentication
    path("connexion/", auth.login, name="login"),
    path("deconnexion/", auth.logout, name="logout"),
    path("connexion/verification/", auth.otp_verify, name="otp_verify"),
    path("connexion/second-facteur/", auth.otp_setup, name="otp_setup"),
    path("compte/codes-de-secours/", auth.recovery_codes, name="recovery_codes"),
    path("compte/mot-de-passe/", auth.password_change, name="password_change"),
    path("compte/mot-de-passe/modifie/", auth.password_change_done, name="password_change_done"),
    path("compte/mot-de-passe/oublie/", auth.password_reset, name="password_reset"),
    path("compte/mot-de-passe/oublie/envoye/", auth.password_reset_done, name="password_reset_done"),
    path("compte/mot-de-passe/nouveau/<uidb64>/<token>/", auth.password_reset_confirm, name="password_reset_confirm"),
    path("compte/mot-de-passe/nouveau/termine/", auth.password_reset_complete, name="password_reset_complete"),
    path("compte/invitations/", invitations.invitation_list, name="invitation_list"),
    path("compte/invitations/<int:pk>/accepter/", invitations.invitation_accept, name="invitation_accept"),
    path("compte/invitations/<int:pk>/refuser/", invitations.invitation_decline, name="invitation_decline"),
    path("compte/cles-api/", api_keys.api_key_list, name="api_key_list"),
    path("compte/cles-api/<int:pk>/revoquer/", api_keys.api_key_revoke, name="api_key_revoke"),
    # Organisations and members
    path("structure/choisir/", pages.organisation_switch, name="organisation_switch"),
    path("structures/<int:pk>/", organisations.organisation_detail, name="organisation_detail"),
    path("structures/<int:pk>/modifier/", organisations.organisation_edit, name="organisation_edit"),
    path("structures/<int:pk>/membres/", organisations.member_list, name="member_list"),
    path("structures/<int:pk>/membres/ajouter/", organisations.member_create, name="member_create"),
    path("structures/<int:pk>/membres/<int:membership_pk>/", organisations.member_edit, name="member_edit"),
    path(
        "structures/<int:pk>/membres/<int:membership_pk>/second-facteur/",
        organisations.member_reset_second_factor,
        name="member_reset_second_factor",
    ),
    path(
        "structures/<int:pk>/invitations/<int:invitation_pk>/retirer/",
        organisations.invitation_withdraw,
        name="invitation_withdraw",
    ),
    # Audit
    path("journal-d-audit/", audit.audit_log, name="audit_log"),
    # Public pages
    path("accessibilite/", pages.accessibility, name="accessibility"),
    path("mentions-legales/", pages.legal_notice, name="legal_notice"),
    path("donnees-personnelles/", pages.personal_data, name="personal_data"),
    path("cookies/", pages.cookies, name="cookies"),
    path("plan-du-site/", pages.sitemap, name="sitemap"),
]
