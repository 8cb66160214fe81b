"""Demo territories: a plausible network of organisations in a real département, one demo account
per role, synthetic names only (Faker fr_FR). Used by `manage.py seed_demo`.

The default demo is Ille-et-Vilaine (35), the territory the source documents describe (the
« conférence des financeurs 35 », the CIAS à l'ouest de Rennes); Côte-d'Or (21) stays available
with `seed_demo --departement 21`. Both can live in the same database.

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

from maillage.casework.demo import seed_casework
from maillage.core.enums import OrganisationKind, Role
from maillage.core.models import Commune, Departement, Membership, Organisation, User
from maillage.core.services import recovery_codes_replace
from maillage.core.territories import load_territories, read_extract
from maillage.core.validators import luhn_is_valid
from maillage.directory.demo import WEST_OF_RENNES, seed_directory_demo
from maillage.people.demo import seed_persons
from maillage.ui.demo import seed_identity_demo
from maillage.volunteers.demo import seed_callers

DEMO_PASSWORD = "Maillage-demo-2026!"  # noqa: S105 (published demo password, refused outside development)
DEMO_EMAIL_DOMAIN = "demo.maillage.example"


@dataclass(frozen=True)
class DemoTerritory:
    """Everything that makes one département's demo.

    organisations: (kind, name, seat commune name, communes served by name; None = the seat only);
    accounts: (local part of the e-mail, role, organisation names);
    persons: organisation name → communes its synthetic persons live in."""

    departement: str
    label: str
    phone_prefix: str
    organisations: list[tuple]
    accounts: list[tuple]
    persons: dict[str, list[str]]
    identity_name: str
    seed: int


RENNES_METROPOLE_NORTH_EAST = [
    "Rennes",
    "Cesson-Sévigné",
    "Saint-Jacques-de-la-Lande",
    "Bruz",
    "Betton",
    "Pacé",
    "Saint-Grégoire",
    "Vezin-le-Coquet",
    "Chartres-de-Bretagne",
]

ILLE_ET_VILAINE = DemoTerritory(
    departement="35",
    label="Ille-et-Vilaine",
    phone_prefix="02 99",
    organisations=[
        (OrganisationKind.CCAS, "CCAS de Rennes", "Rennes", None),
        (OrganisationKind.CCAS, "CCAS de Saint-Malo", "Saint-Malo", None),
        (OrganisationKind.CIAS, "CIAS à l'Ouest de Rennes", "Le Rheu", WEST_OF_RENNES),
        (OrganisationKind.CLIC, "CLIC du Pays de Rennes", "Rennes", RENNES_METROPOLE_NORTH_EAST),
        (OrganisationKind.CLIO, "Centre d'information handicap d'Ille-et-Vilaine", "Rennes", None),
        (OrganisationKind.MAIRIE, "Mairie de Saint-Jacques-de-la-Lande", "Saint-Jacques-de-la-Lande", None),
        (OrganisationKind.DAC, "DAC 35 — Dispositif d'appui à la coordination", "Rennes", None),
        (
            OrganisationKind.SAAD,
            "Aide et présence à domicile rennaise",
            "Rennes",
            ["Rennes", "Cesson-Sévigné", "Saint-Grégoire", "Betton"],
        ),
        (OrganisationKind.SSIAD, "SSIAD du Pays de Fougères", "Fougères", ["Fougères", "Lécousse", "Javené"]),
        (OrganisationKind.PHARMACY, "Pharmacie des Rochers", "Vitré", None),
        (OrganisationKind.ASSOCIATION, "Les Petits Frères du Rennais", "Rennes", None),
        (
            OrganisationKind.ASSOCIATION,
            "Repas et Compagnie du Pays de Vitré",
            "Vitré",
            ["Vitré", "Argentré-du-Plessis", "Étrelles"],
        ),
        (OrganisationKind.ASSOCIATION, "Mobilité solidaire du Pays de Redon", "Redon", ["Redon", "Bains-sur-Oust"]),
        (OrganisationKind.CITIZEN_TEAM, "Équipe citoyenne de Betton", "Betton", None),
        (OrganisationKind.SOCIAL_LANDLORD, "Habitat brétillien", "Rennes", None),
        (OrganisationKind.DEPARTEMENT, "Conseil départemental d'Ille-et-Vilaine", "Rennes", None),
        (OrganisationKind.CAF, "CAF d'Ille-et-Vilaine", "Rennes", None),
        (OrganisationKind.CARSAT, "Carsat Bretagne", "Rennes", None),
        (
            OrganisationKind.OTHER,
            "Épicerie solidaire malouine",
            "Saint-Malo",
            ["Saint-Malo", "Saint-Méloir-des-Ondes", "Saint-Coulomb", "Cancale"],
        ),
    ],
    # One demo account per role, all in the CCAS; the coordinator and the administrator also
    # belong to the CLIC, to show the organisation switcher.
    accounts=[
        ("accueil", Role.RECEPTION_AGENT, ["CCAS de Rennes"]),
        ("coordination", Role.COORDINATOR, ["CCAS de Rennes", "CLIC du Pays de Rennes"]),
        ("registre", Role.REGISTER_MANAGER, ["CCAS de Rennes"]),
        ("benevole", Role.VOLUNTEER, ["CCAS de Rennes"]),
        ("partenaire", Role.PARTNER, ["Aide et présence à domicile rennaise"]),
        ("direction", Role.DIRECTOR, ["CCAS de Rennes"]),
        ("dpo", Role.DPO, ["CCAS de Rennes"]),
        ("admin", Role.ADMIN, ["CCAS de Rennes", "CLIC du Pays de Rennes"]),
        # A professional of a partner organisation, placed in the care team of two of the CCAS's
        # files (with the persons' consent to share): « Dossiers partagés avec moi ».
        ("clic", Role.COORDINATOR, ["CLIC du Pays de Rennes"]),
    ],
    persons={
        "CCAS de Rennes": ["Rennes"],
        "CLIC du Pays de Rennes": RENNES_METROPOLE_NORTH_EAST,
        "CIAS à l'Ouest de Rennes": WEST_OF_RENNES,
    },
    identity_name="CCAS de Rennes",
    seed=35,
)

DIJON_AREA = ["Dijon", "Chenôve", "Talant", "Quetigny", "Longvic", "Fontaine-lès-Dijon"]

COTE_D_OR = DemoTerritory(
    departement="21",
    label="Côte-d'Or",
    phone_prefix="03 80",
    organisations=[
        (OrganisationKind.CCAS, "CCAS de Dijon", "Dijon", None),
        (
            OrganisationKind.CIAS,
            "CIAS du Pays de Beaune",
            "Beaune",
            ["Beaune", "Savigny-lès-Beaune", "Meursault", "Pommard"],
        ),
        (OrganisationKind.CLIC, "CLIC du Grand Dijon", "Dijon", DIJON_AREA),
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
    ],
    accounts=[
        ("accueil", Role.RECEPTION_AGENT, ["CCAS de Dijon"]),
        ("coordination", Role.COORDINATOR, ["CCAS de Dijon", "CLIC du Grand Dijon"]),
        ("registre", Role.REGISTER_MANAGER, ["CCAS de Dijon"]),
        ("benevole", Role.VOLUNTEER, ["CCAS de Dijon"]),
        ("partenaire", Role.PARTNER, ["Aide et présence à domicile dijonnaise"]),
        ("direction", Role.DIRECTOR, ["CCAS de Dijon"]),
        ("dpo", Role.DPO, ["CCAS de Dijon"]),
        ("admin", Role.ADMIN, ["CCAS de Dijon", "CLIC du Grand Dijon"]),
        ("clic", Role.COORDINATOR, ["CLIC du Grand Dijon"]),
    ],
    persons={"CCAS de Dijon": DIJON_AREA, "CLIC du Grand Dijon": DIJON_AREA},
    identity_name="CCAS de Dijon",
    seed=21,
)

DEMO_TERRITORIES = {t.departement: t for t in (ILLE_ET_VILAINE, COTE_D_OR)}
DEFAULT_DEMO_DEPARTEMENT = ILLE_ET_VILAINE.departement


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


def demo_commune(departement: str, name: str) -> Commune:
    commune = Commune.objects.filter(departement__code=departement, name=name, kind=Commune.KIND_COMMUNE).first()
    if commune is None:
        raise ImproperlyConfigured(f"Commune de démonstration introuvable : {name}.")
    return commune


@transaction.atomic
def seed_demo(departement: str = DEFAULT_DEMO_DEPARTEMENT) -> list[DemoAccount]:
    if not settings.MAILLAGE_DEMO_ACCOUNTS_ALLOWED:
        raise ImproperlyConfigured("Les comptes de démonstration ne sont permis qu'en mode développement.")
    territory = DEMO_TERRITORIES.get(departement)
    if territory is None:
        known = ", ".join(f"{t.departement} ({t.label})" for t in DEMO_TERRITORIES.values())
        raise ImproperlyConfigured(f"Pas de démonstration pour le département {departement} ; au choix : {known}.")
    code = territory.departement
    if not Departement.objects.filter(code=code).exists():
        load_territories(read_extract(), departement_codes={code})
    fake = Faker("fr_FR")
    fake.seed_instance(territory.seed)
    rng = random.Random(territory.seed)  # noqa: S311 (reproducible demo data, not a secret)

    organisations = {}
    for kind, name, seat, served in territory.organisations:
        seat_commune = demo_commune(code, seat)
        organisation, created = Organisation.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "siret": fake_siret(rng),
                "email": f"contact@{name.lower().split()[0]}.{DEMO_EMAIL_DOMAIN}",
                "phone": f"{territory.phone_prefix} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                "address": fake.street_address(),
                "postal_code": (seat_commune.postal_codes or [""])[0],
                "commune": seat_commune,
            },
        )
        if created:
            organisation.full_clean()
            organisation.communes_served.set([demo_commune(code, n) for n in (served or [seat])])
        organisations[name] = organisation

    # The deploying organisation shown by the neutral theme: the demo CCAS, a placeholder logo.
    seed_identity_demo(territory.identity_name)
    # The directory's demo services (published and a few drafts), keyed by source « demo ».
    seed_directory_demo(
        departement=code, phone_prefix=territory.phone_prefix, organisations=organisations, fake=fake, rng=rng
    )
    # Synthetic persons followed by the CCAS, the CLIC (and the CIAS) (Faker fr_FR, real communes).
    for organisation_name, commune_names in territory.persons.items():
        communes = [demo_commune(code, n) for n in commune_names]
        seed_persons(organisations[organisation_name], communes, phone_prefix=territory.phone_prefix)

    accounts = []
    users = {}
    for local_part, role, organisation_names in territory.accounts:
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
        users[local_part] = user

    # The casework of the demo accounts' organisation (requests, assessments, plans, care teams,
    # tasks), written by the reception and coordination accounts.
    home = organisations[territory.accounts[0][2][0]]
    partner_organisation = next(organisations[names[0]] for part, _, names in territory.accounts if part == "clic")
    seed_casework(
        organisation=home,
        coordinator=users["coordination"],
        reception=users["accueil"],
        partner=users["clic"],
        partner_organisation=partner_organisation,
        seed=territory.seed,
    )
    # The callers of the register's campaigns: the volunteer (charter signed, slots, a language) and
    # the register manager.
    seed_callers(organisation=home, volunteer=users["benevole"], register_manager=users["registre"])
    # The register of vulnerable persons of the same organisation: entries, a past crisis and its
    # campaign, follow-up calls, a sponsorship (maillage.register.demo).
    from maillage.register.demo import seed_register

    seed_register(
        organisation=home,
        manager=users["registre"],
        volunteer=users["benevole"],
        seed=territory.seed,
        phone_prefix=territory.phone_prefix,
        list_sender=next((n for k, n, *_ in territory.organisations if k == OrganisationKind.DEPARTEMENT), ""),
        partner_name=next((n for k, n, *_ in territory.organisations if k == OrganisationKind.SAAD), ""),
    )
    # Referrals from the same organisation to the partners with accounts, in various states
    # (maillage.referrals.demo).
    from maillage.referrals.demo import seed_referrals

    home_help = next(organisations[names[0]] for part, _, names in territory.accounts if part == "partenaire")
    seed_referrals(
        organisation=home,
        sender=users["coordination"],
        partners={"clic": (partner_organisation, users["clic"]), "home": (home_help, users["partenaire"])},
        seed=territory.seed,
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
