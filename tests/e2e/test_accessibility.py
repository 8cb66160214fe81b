"""Accessibility of every page of the foundation, in its real states (empty, with errors, with data),
checked by axe-core in Chromium, on both themes (neutral and DSFR: the `theme` fixture); and the
keyboard paths (skip link, organisation switcher, visible focus) and a phone's width (375 px)."""

import datetime
import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from maillage.core.enums import Role
from maillage.core.models import AuditLogEntry, Membership, Organisation
from tests.core.factories import CommuneFactory, MembershipFactory, OrganisationFactory, UserFactory
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("theme")]

# The dashboard's sentence for each role, written out (elision, a person rather than a department).
DASHBOARD_ROLE_PHRASES = {
    Role.RECEPTION_AGENT: "en tant qu'agent d'accueil",
    Role.COORDINATOR: "en tant que coordinateur·rice ou travailleur·se social·e",
    Role.REGISTER_MANAGER: "en tant que gestionnaire du registre",
    Role.VOLUNTEER: "en tant que bénévole",
    Role.PARTNER: "en tant que professionnel·le partenaire",
    Role.DIRECTOR: "en tant que membre de la direction ou élu·e",
    Role.DPO: "en tant que délégué·e à la protection des données",
    Role.ADMIN: "en tant qu'administrateur·rice",
}

NEW_PASSWORD = "Un-autre-mot-de-passe-solide-2"


def submit_password(page, email: str, password: str = PASSWORD):
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


@pytest.fixture
def organisation():
    organisation = OrganisationFactory(
        name="CCAS de Dijon",
        phone="03 80 00 00 00",
        website="https://www.ccas-exemple.fr",
        address="1 place de la Mairie",
        postal_code="21000",
        commune=CommuneFactory(code="21231", name="Dijon"),
    )
    organisation.communes_served.set([organisation.commune, CommuneFactory(code="21166", name="Chenôve")])
    for role in (Role.COORDINATOR, Role.VOLUNTEER, Role.DIRECTOR):
        MembershipFactory(organisation=organisation, role=role)
    MembershipFactory(organisation=organisation, role=Role.PARTNER, is_active=False)
    return organisation


@pytest.fixture
def admin(organisation):
    return MembershipFactory(organisation=organisation, role=Role.ADMIN, user__first_name="Alix").user


# --- Authentication ------------------------------------------------------------------------------


def test_login_page_empty_and_with_errors(page):
    page.goto("/connexion/")
    assert_accessible(page, "Connexion")

    UserFactory(email="agent@exemple.fr")
    submit_password(page, "agent@exemple.fr", "Pas-le-bon-mot-de-passe-9")
    expect(page.get_by_text("Adresse électronique ou mot de passe incorrect.")).to_be_visible()
    assert_accessible(page, "Connexion — mot de passe incorrect")

    page.get_by_label("Adresse électronique").fill("")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_label("Adresse électronique")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "Connexion — champs vides")


def test_second_factor_verify_page(page):
    user = MembershipFactory().user
    TOTPDevice.objects.create(user=user, name="Téléphone", confirmed=True)
    page.goto("/connexion/")
    submit_password(page, user.email)
    expect(page).to_have_url(re.compile(r"/connexion/verification/"))
    assert_accessible(page, "Vérification en deux étapes")

    page.get_by_label("Code de vérification").fill("12")
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_text("Code incorrect ou expiré.").last).to_be_visible()
    assert_accessible(page, "Vérification en deux étapes — code incorrect")


def test_second_factor_setup_page(page):
    user = MembershipFactory().user
    page.goto("/connexion/")
    submit_password(page, user.email)
    expect(page).to_have_url(re.compile(r"/connexion/second-facteur/"))
    assert_accessible(page, "Activer la vérification en deux étapes")

    page.get_by_label("Code affiché par l'application").fill("12a456")
    page.get_by_role("button", name="Activer").click()
    expect(page.get_by_text("Le code ne doit contenir que des chiffres.").last).to_be_visible()
    assert_accessible(page, "Activer la vérification en deux étapes — code invalide")


def test_recovery_codes_pages(page, login_as, admin):
    login_as(admin)
    page.goto("/compte/codes-de-secours/")
    expect(page.get_by_text("Il vous reste 0 code de secours inutilisé.")).to_be_visible()
    assert_accessible(page, "Codes de secours — restants")

    page.get_by_role("button", name=re.compile("Générer de nouveaux codes")).click()
    # The message beside the field, the last of the two (the error summary repeats it first).
    expect(
        page.get_by_text("Mot de passe : saisissez le mot de passe de votre compte pour confirmer.").last
    ).to_be_visible()
    assert_accessible(page, "Codes de secours — mot de passe manquant")

    page.get_by_label("Votre mot de passe").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Générer de nouveaux codes")).click()
    expect(page.get_by_role("list", name="Vos codes de secours").get_by_role("listitem")).to_have_count(10)
    assert_accessible(page, "Codes de secours — nouveaux codes")


def test_password_reset_pages(page):
    user = UserFactory(email="oubli@exemple.fr")
    page.goto("/compte/mot-de-passe/oublie/")
    assert_accessible(page, "Mot de passe oublié")

    page.get_by_role("button", name="Recevoir le lien").click()
    expect(page.get_by_label("Adresse électronique")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "Mot de passe oublié — champ vide")

    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_role("button", name="Recevoir le lien").click()
    expect(page).to_have_url(re.compile(r"/compte/mot-de-passe/oublie/envoye/$"))
    assert_accessible(page, "Mot de passe oublié — lien envoyé")

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    page.goto(f"/compte/mot-de-passe/nouveau/{uid}/pas-un-jeton/")
    expect(page.get_by_text("Lien invalide ou expiré")).to_be_visible()
    assert_accessible(page, "Nouveau mot de passe — lien invalide")

    page.goto(f"/compte/mot-de-passe/nouveau/{uid}/{default_token_generator.make_token(user)}/")
    assert_accessible(page, "Nouveau mot de passe — lien valide")

    page.get_by_role("textbox", name=re.compile(r"^Nouveau mot de passe")).fill("court")
    page.get_by_role("textbox", name=re.compile(r"^Confirmation du nouveau mot de passe")).fill("autre")
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect(page.locator("[aria-invalid=true]").first).to_be_visible()
    assert_accessible(page, "Nouveau mot de passe — erreurs")

    page.get_by_role("textbox", name=re.compile(r"^Nouveau mot de passe")).fill(NEW_PASSWORD)
    page.get_by_role("textbox", name=re.compile(r"^Confirmation du nouveau mot de passe")).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect(page).to_have_url(re.compile(r"/compte/mot-de-passe/nouveau/termine/$"))
    assert_accessible(page, "Mot de passe enregistré")


def test_password_change_pages(page, login_as, admin):
    login_as(admin)
    page.goto("/compte/mot-de-passe/")
    assert_accessible(page, "Changer de mot de passe")

    page.get_by_label("Ancien mot de passe").fill("Pas-le-bon-mot-de-passe-9")
    page.get_by_role("textbox", name=re.compile(r"^Nouveau mot de passe")).fill("court")
    page.get_by_role("textbox", name=re.compile(r"^Confirmation du nouveau mot de passe")).fill("court")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_label("Ancien mot de passe")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "Changer de mot de passe — erreurs")

    page.get_by_label("Ancien mot de passe").fill(PASSWORD)
    page.get_by_role("textbox", name=re.compile(r"^Nouveau mot de passe")).fill(NEW_PASSWORD)
    page.get_by_role("textbox", name=re.compile(r"^Confirmation du nouveau mot de passe")).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page).to_have_url(re.compile(r"/compte/mot-de-passe/modifie/$"))
    assert_accessible(page, "Mot de passe changé")


# --- Dashboard, organisation, members, audit -----------------------------------------------------


@pytest.mark.parametrize("role", list(Role), ids=[role.value for role in Role])
def test_dashboard_for_each_role(page, login_as, organisation, role):
    membership = MembershipFactory(organisation=organisation, role=role)
    # A second organisation: the switcher shows up, as for most agents.
    MembershipFactory(user=membership.user, role=Role.VOLUNTEER, organisation__name="Équipe citoyenne de Talant")
    login_as(membership.user)
    page.goto("/tableau-de-bord/")
    expect(page.locator("#structure-courante")).to_have_text(
        f"Vous travaillez pour le CCAS de Dijon {DASHBOARD_ROLE_PHRASES[role]}."
    )
    assert_accessible(page, f"Tableau de bord — {role.label}")


def test_organisation_and_member_pages(page, login_as, organisation, admin):
    login_as(admin)
    page.goto(f"/structures/{organisation.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("CCAS de Dijon")
    assert_accessible(page, "Fiche de la structure")

    page.get_by_role("link", name="Modifier la structure").click()
    assert_accessible(page, "Modifier la structure")

    page.get_by_label("SIRET").fill("123")
    page.get_by_label("Commune du siège (code INSEE)").fill("99999")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("La commune de code INSEE « 99999 » n'existe pas.").last).to_be_visible()
    assert_accessible(page, "Modifier la structure — erreurs")

    page.goto(f"/structures/{organisation.pk}/membres/")
    expect(page.get_by_role("table").get_by_role("row")).to_have_count(
        1 + Membership.objects.filter(organisation=organisation).count()
    )
    assert_accessible(page, "Membres")

    page.get_by_label("Nom ou adresse électronique").fill("aucun-membre-de-ce-nom")
    expect(page.get_by_text("Aucun membre ne correspond.")).to_be_visible()
    assert_accessible(page, "Membres — aucun résultat")

    page.goto(f"/structures/{organisation.pk}/membres/ajouter/")
    assert_accessible(page, "Ajouter un membre")

    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("[aria-invalid=true]").first).to_be_visible()
    assert_accessible(page, "Ajouter un membre — erreurs")

    other = Membership.objects.filter(organisation=organisation, role=Role.COORDINATOR).get()
    page.goto(f"/structures/{organisation.pk}/membres/{other.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Modifier {other.user.get_full_name()}")
    assert_accessible(page, "Modifier un membre")


def _audit_lines(organisation: Organisation, actor, count: int):
    organisation_type = ContentType.objects.get_for_model(Organisation)
    now = timezone.now()
    lines = []
    for n in range(count):
        action = [AuditLogEntry.Action.CREATE, AuditLogEntry.Action.UPDATE, AuditLogEntry.Action.ACCESS][n % 3]
        lines.append(
            AuditLogEntry(
                content_type=organisation_type,
                object_pk=str(organisation.pk),
                object_id=organisation.pk,
                object_repr=str(organisation),
                action=action,
                changes={"phone": ["03 80 00 00 00", f"03 80 00 00 {n:02d}"]}
                if action == AuditLogEntry.Action.UPDATE
                else None,
                changes_text="Fiche de la structure" if action == AuditLogEntry.Action.ACCESS else "",
                reason="Appel du SAMU : recherche d'un contact" if n == 2 else "",
                actor=actor,
                actor_email=actor.email,
                remote_addr="192.0.2.10",
                organisation=organisation,
                timestamp=now - datetime.timedelta(hours=n),
            )
        )
    AuditLogEntry.objects.bulk_create(lines)


def test_audit_log_as_dpo(page, login_as, organisation, admin):
    dpo = MembershipFactory(organisation=organisation, role=Role.DPO).user
    _audit_lines(organisation, admin, 55)
    login_as(dpo)
    page.goto("/tableau-de-bord/")
    assert_accessible(page, "Tableau de bord du DPO avec journal")

    page.goto("/journal-d-audit/")
    expect(page.get_by_role("table").get_by_role("row")).to_have_count(51)
    expect(page.get_by_role("navigation", name="Pagination du journal")).to_be_visible()
    assert_accessible(page, "Journal d'audit")

    page.get_by_role("link", name="Page suivante").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    assert_accessible(page, "Journal d'audit — page 2")

    page.get_by_label("Du", exact=True).fill("2030-01-02")
    page.get_by_label("Au", exact=True).fill("2030-01-01")
    page.get_by_role("button", name="Rechercher").click()
    # The filters are sent by htmx, which replaces the results only: the error is said there.
    expect(page.locator("#resultats-audit").get_by_text("La date de fin doit être postérieure")).to_be_visible()
    assert_accessible(page, "Journal d'audit — filtre en erreur")


# --- Public pages, errors --------------------------------------------------------------------------

PUBLIC_PAGES = [
    ("/accessibilite/", "Déclaration d'accessibilité"),
    ("/mentions-legales/", "Mentions légales"),
    ("/donnees-personnelles/", "Données personnelles"),
    ("/cookies/", "Cookies"),
    ("/plan-du-site/", "Plan du site"),
]


def test_public_pages(page, login_as, admin):
    for url, name in PUBLIC_PAGES:
        page.goto(url)
        assert_accessible(page, name)
    login_as(admin)
    page.goto("/plan-du-site/")
    expect(page.get_by_role("main").get_by_role("link", name="Membres")).to_be_visible()
    assert_accessible(page, "Plan du site — connecté·e")


def test_not_found_page(page, login_as, admin):
    response = page.goto("/cette-page-n-existe-pas/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page non trouvée")
    assert_accessible(page, "Page non trouvée")

    login_as(admin)
    response = page.goto("/structures/999999/")
    assert response.status == 404
    assert_accessible(page, "Page non trouvée — connecté·e")


def test_dashboard_on_a_phone(page, login_as, organisation, admin):
    MembershipFactory(user=admin, role=Role.DIRECTOR, organisation__name="CIAS du Val de Saône")
    login_as(admin)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/tableau-de-bord/")
    # The switcher stays out of the tools links that DSFR copies into the mobile menu: one id only.
    expect(page.locator("[id=choix-structure]")).to_have_count(1)
    expect(page.get_by_label("Structure :")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375, "défilement horizontal"
    assert_accessible(page, "Tableau de bord — téléphone")
    page.get_by_role("button", name="Menu", exact=True).click()
    expect(page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Membres")).to_be_visible()
    assert_accessible(page, "Tableau de bord — téléphone, menu ouvert")


PHONE_PAGES = ["/connexion/", "/mentions-legales/", "/tableau-de-bord/", "/compte/mot-de-passe/"]


def test_pages_at_a_phone_width_and_with_errors(page, login_as, organisation, admin):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/connexion/")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_label("Adresse électronique")).to_have_attribute("aria-invalid", "true")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375, "défilement horizontal"
    assert_accessible(page, "Connexion — téléphone, erreurs")
    login_as(admin)
    for url in PHONE_PAGES[1:]:
        page.goto(url)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 375, f"défilement horizontal : {url}"
        assert_accessible(page, f"{url} — téléphone")


def test_error_summary_links_to_the_fields(page, theme):
    page.goto("/connexion/")
    page.get_by_role("button", name="Se connecter").click()
    summary = page.get_by_role("alert").filter(has_text="Le formulaire contient")
    expect(summary).to_be_visible()
    summary.get_by_role("link", name=re.compile("^Adresse électronique :")).click()
    expect(page.get_by_label("Adresse électronique")).to_be_focused()


def test_high_contrast_is_a_choice_kept_for_the_next_pages(page, theme):
    page.goto("/mentions-legales/")
    button = page.get_by_role("button", name="Contraste élevé")
    expect(button).to_have_attribute("aria-pressed", "false")
    button.click()
    expect(page).to_have_url(re.compile(r"/mentions-legales/$"))
    expect(page.locator("html")).to_have_class(re.compile(r"\bui-high-contrast\b"))
    assert_accessible(page, "Mentions légales — contraste élevé")
    page.goto("/plan-du-site/")
    expect(page.locator("html")).to_have_class(re.compile(r"\bui-high-contrast\b"))
    page.get_by_role("button", name="Contraste élevé").click()
    expect(page.locator("html")).not_to_have_class(re.compile(r"\bui-high-contrast\b"))


# --- Keyboard --------------------------------------------------------------------------------------


def test_keyboard_focus_is_visible(page):
    """Every link and button reached with Tab shows an outline or a focus background."""
    page.goto("/connexion/")
    for _ in range(12):
        page.keyboard.press("Tab")
        shown = page.evaluate(
            """() => {
              const el = document.activeElement;
              if (!el || el === document.body) return true;
              const shows = (node, pseudo) => {
                const style = getComputedStyle(node, pseudo);
                const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
                const shadow = style.boxShadow && style.boxShadow !== "none";
                return outline || shadow;
              };
              const background = getComputedStyle(el).backgroundColor !== "rgba(0, 0, 0, 0)";
              // DSFR's enlarged links draw the focus ring on the link's box (::before), or on the block.
              const block = el.closest(".fr-enlarge-link");
              return shows(el) || shows(el, "::before") || shows(el, "::after") || (block && shows(block))
                || (el.tagName === "A" && background);
            }"""
        )
        tag = page.evaluate("() => document.activeElement.outerHTML.slice(0, 120)")
        assert shown, f"Focus invisible sur : {tag}"


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page, login_as, admin):
    for url in ("/mentions-legales/", "/tableau-de-bord/"):
        if url == "/tableau-de-bord/":
            login_as(admin)
        page.goto(url)
        page.keyboard.press("Tab")
        skip_link = page.get_by_role("link", name="Contenu", exact=True)
        expect(skip_link).to_be_focused()
        expect(skip_link).to_be_visible()
        page.keyboard.press("Enter")
        expect(page.locator("main#contenu")).to_be_focused()


def test_organisation_switcher_works_with_the_keyboard_only(page, login_as, organisation, admin):
    MembershipFactory(user=admin, role=Role.DIRECTOR, organisation__name="CIAS du Val de Saône")
    login_as(admin)
    page.goto("/tableau-de-bord/")
    lead = page.locator("#structure-courante")
    # Names sort "CCAS de Dijon" first: the current organisation.
    expect(lead).to_have_text("Vous travaillez pour le CCAS de Dijon en tant qu'administrateur·rice.")

    switcher = page.locator("#choix-structure")
    for _ in range(30):
        page.keyboard.press("Tab")
        if switcher.evaluate("element => element === document.activeElement"):
            break
    expect(switcher).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(switcher).to_have_value(str(admin.memberships.get(role=Role.DIRECTOR).organisation_id))
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Changer de structure")).to_be_focused()
    page.keyboard.press("Enter")
    expect(lead).to_have_text(
        "Vous travaillez pour le CIAS du Val de Saône en tant que membre de la direction ou élu·e."
    )


# --- The audit itself ------------------------------------------------------------------------------


def test_the_audit_does_report_violations(page):
    """Guard against a silent audit (axe not loaded, blocked by the CSP…): a nameless button fails."""
    page.goto("/mentions-legales/")
    page.evaluate("() => document.querySelector('main').insertAdjacentHTML('beforeend', '<button></button>')")
    with pytest.raises(AssertionError, match=r"button-name \(critical\)"):
        assert_accessible(page, "Page piégée")
