"""Demo territory: a plausible network of organisations in a real département (Côte-d'Or, 21),
one demo account per role, synthetic names only (Faker fr_FR). Used by `manage.py seed_demo`.

Safe to run twice: everything is looked up by a stable key before being created.
"""

import base64
import random
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from faker import Faker

from maillage.core.enums import OrganisationKind, Role
from maillage.core.models import Commune, Departement, Membership, Organisation, User
from maillage.core.services import recovery_codes_replace
from maillage.core.territories import load_territories, read_extract
from maillage.core.validators import luhn_is_valid
from maillage.directory.demo import seed_directory_demo
from maillage.people.demo import seed_persons
from maillage.ui.demo import seed_identity_demo

DEMO_DEPARTEMENT = "21"
DEMO_PASSWORD = "Maillage-demo-2026!"  # noqa: S105 (published demo password, refused outside development)
DEMO_EMAIL_DOMAIN = "demo.maillage.example"
DEMO_PERSON_COMMUNES = ["Dijon", "Chenôve", "Talant", "Quetigny", "Longvic", "Fontaine-lès-Dijon"]

# (kind, name, seat commune name, communes served by name; None = the seat only)
DEMO_ORGANISATIONS = [
    (OrganisationKind.CCAS, "CCAS de Dijon", "Dijon", None),
    (
        OrganisationKind.CIAS,
        "CIAS du Pays de Beaune",
        "Beaune",
        ["Beaune", "Savigny-lès-Beaune", "Meursault", "Pommard"],
    ),
    (
        OrganisationKind.CLIC,
        "CLIC du Grand Dijon",
        "Dijon",
        ["Dijon", "Chenôve", "Talant", "Quetigny", "Longvic", "Fontaine-lès-Dijon"],
    ),
    (OrganisationKind.CLIO, "Centre d'information handicap de Côte-d'Or", "Dijon", None),
    (OrganisationKind.MAIRIE, "Mairie de Chenôve", "Chenôve", None),
    (OrganisationKind.DAC, "DAC 21 — Dispositif d'appui à la coordination", "Dijon", None),
    (OrganisationKind.SAAD, "Aide et présence à domicile dijonnaise", "Dijon", ["Dijon", "Talant", "Chenôve"]),
    (OrganisationKind.SSIAD, "SSIAD de l'Auxois", "Semur-en-Auxois", None),
    (OrganisationKind.PHARMACY, "Pharmacie du Marché", "Beaune", None),
    (OrganisationKind.ASSOCIATION, "Les Petits Frères du Dijonnais", "Dijon", None),
    (OrganisationKind.CITIZEN_TEAM, "Équipe citoyenne de Quetigny", "Quetigny", None),
    (OrganisationKind.SOCIAL_LANDLORD, "Habitat bourguignon", "Dijon", None),
    (OrganisationKind.DEPARTEMENT, "Conseil départemental de la Côte-d'Or", "Dijon", None),
    (OrganisationKind.CAF, "CAF de la Côte-d'Or", "Dijon", None),
    (OrganisationKind.CARSAT, "Carsat Bourgogne-Franche-Comté", "Dijon", None),
    (OrganisationKind.OTHER, "Épicerie solidaire de Talant", "Talant", None),
]

# One demo account per role, all in the CCAS; the coordinator and the administrator also belong
# to the CLIC, to show the organisation switcher.
DEMO_ACCOUNTS = [
    ("accueil", Role.RECEPTION_AGENT, ["CCAS de Dijon"]),
    ("coordination", Role.COORDINATOR, ["CCAS de Dijon", "CLIC du Grand Dijon"]),
    ("registre", Role.REGISTER_MANAGER, ["CCAS de Dijon"]),
    ("benevole", Role.VOLUNTEER, ["CCAS de Dijon"]),
    ("partenaire", Role.PARTNER, ["Aide et présence à domicile dijonnaise"]),
    ("direction", Role.DIRECTOR, ["CCAS de Dijon"]),
    ("dpo", Role.DPO, ["CCAS de Dijon"]),
    ("admin", Role.ADMIN, ["CCAS de Dijon", "CLIC du Grand Dijon"]),
]


@dataclass
class DemoAccount:
    email: str
    role: Role
    organisations: list[str]
    totp_secret: str
    current_code: str
    recovery_codes: list[str]


def fake_siret(rng: random.Random) -> str:
    """A SIRET with a right Luhn key, made up (never a real establishment's number on purpose)."""
    while True:
        digits = "".join(str(rng.randint(0, 9)) for _ in range(13))
        for last in "0123456789":
            if luhn_is_valid(digits + last) and not (digits + last).startswith("356000000"):
                return digits + last


def _commune(name: str) -> Commune:
    commune = Commune.objects.filter(departement__code=DEMO_DEPARTEMENT, name=name, kind=Commune.KIND_COMMUNE).first()
    if commune is None:
        raise ImproperlyConfigured(f"Commune de démonstration introuvable : {name}.")
    return commune


@transaction.atomic
def seed_demo() -> list[DemoAccount]:
    if not settings.MAILLAGE_DEMO_ACCOUNTS_ALLOWED:
        raise ImproperlyConfigured("Les comptes de démonstration ne sont permis qu'en mode développement.")
    if not Departement.objects.filter(code=DEMO_DEPARTEMENT).exists():
        load_territories(read_extract(), departement_codes={DEMO_DEPARTEMENT})
    fake = Faker("fr_FR")
    fake.seed_instance(21)
    rng = random.Random(21)  # noqa: S311 (reproducible demo data, not a secret)

    organisations = {}
    for kind, name, seat, served in DEMO_ORGANISATIONS:
        seat_commune = _commune(seat)
        organisation, created = Organisation.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "siret": fake_siret(rng),
                "email": f"contact@{name.lower().split()[0]}.{DEMO_EMAIL_DOMAIN}",
                "phone": f"03 80 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                "address": fake.street_address(),
                "postal_code": (seat_commune.postal_codes or [""])[0],
                "commune": seat_commune,
            },
        )
        if created:
            organisation.full_clean()
            organisation.communes_served.set([_commune(n) for n in (served or [seat])])
        organisations[name] = organisation

    # The deploying organisation shown by the neutral theme: the demo CCAS, a placeholder logo.
    seed_identity_demo()
    # The directory's demo services (published and a few drafts), keyed by source « demo ».
    seed_directory_demo(organisations=organisations, fake=fake, rng=rng)
    # Synthetic persons followed by the CCAS and the CLIC (Faker fr_FR, real communes).
    local = list(Commune.objects.filter(departement__code=DEMO_DEPARTEMENT, name__in=DEMO_PERSON_COMMUNES))
    for name in ("CCAS de Dijon", "CLIC du Grand Dijon"):
        seed_persons(organisations[name], local)

    accounts = []
    for local_part, role, organisation_names in DEMO_ACCOUNTS:
        email = f"{local_part}@{DEMO_EMAIL_DOMAIN}"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email,
                password=DEMO_PASSWORD,
                first_name=fake.first_name(),
                last_name=fake.last_name(),
                is_demo=True,
            )
        for organisation_name in organisation_names:
            Membership.objects.get_or_create(
                user=user, organisation=organisations[organisation_name], defaults={"role": role}
            )
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Application d'authentification (démo)", confirmed=True)
        static = StaticDevice.objects.filter(user=user, name="Codes de secours").first()
        if static is None or not static.token_set.exists():
            recovery_codes_replace(user=user)
            static = StaticDevice.objects.get(user=user, name="Codes de secours")
        accounts.append(
            DemoAccount(
                email=email,
                role=role,
                organisations=organisation_names,
                totp_secret=base64.b32encode(device.bin_key).decode(),
                current_code=current_totp(device),
                recovery_codes=list(static.token_set.values_list("token", flat=True)[:3]),
            )
        )
    return accounts


def current_totp(device: TOTPDevice) -> str:
    """The code an authenticator application would show right now for this device."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return str(code).zfill(device.digits)


def demo_accounts_report(accounts: list[DemoAccount]) -> str:
    lines = [
        "",
        "Comptes de démonstration (mot de passe commun : " + DEMO_PASSWORD + ")",
        "Second facteur : clé TOTP à saisir dans une application d'authentification, ou un code de secours",
        "(chaque code de secours ne sert qu'une fois ; « make demo-codes » affiche les codes TOTP du moment).",
        "",
    ]
    for account in accounts:
        lines.append(f"  {account.role.label:<45} {account.email}")
        lines.append(f"      structures : {', '.join(account.organisations)}")
        lines.append(f"      clé TOTP : {account.totp_secret}   code actuel : {account.current_code}")
        lines.append(f"      codes de secours : {', '.join(account.recovery_codes) or 'aucun restant'}")
    return "\n".join(lines)
