"""Demo directory: about forty published services across the demo organisations of a département
(maillage.core.demo) — Ille-et-Vilaine by default, Côte-d'Or on request — so that a newcomer can
search « portage de repas » around Rennes and keep only the places with step-free access.
Synthetic (Faker fr_FR addresses, made-up phone numbers), real communes. Called by `seed_demo`;
safe twice: each service is keyed by source « demo » and a key unique across départements.
"""

import datetime
import random
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.text import slugify
from faker import Faker

from maillage.core.models import Commune, Organisation
from maillage.directory.enums import FeeKind, OfferKind, ServiceStatus
from maillage.directory.models import (
    Location,
    Phone,
    RegularSchedule,
    ScheduleException,
    Service,
    ServiceAccessibility,
    ServiceAtLocation,
    ServiceLanguage,
    TaxonomyTerm,
)
from maillage.directory.services import service_reindex

DEMO_SOURCE = "demo"

# Opening hours: weekday (0 = Monday) → spans.
HOURS = {
    "office": {d: [("09:00", "12:00"), ("13:30", "17:00")] for d in range(5)},
    "mornings": {d: [("09:00", "12:30")] for d in range(5)},
    "every_day": {d: [("10:00", "19:00")] for d in range(7)},
    "day_club": {1: [("10:00", "17:00")], 3: [("10:00", "17:00")]},
    "round_the_clock": {d: [("00:00", "23:59")] for d in range(7)},
    "grocery": {1: [("14:00", "18:00")], 4: [("09:30", "12:30"), ("14:00", "18:00")]},
    "visits": {2: [("14:00", "17:30")]},
    "transport": {d: [("08:30", "18:00")] for d in range(6)},
}


@dataclass(frozen=True)
class Recipe:
    """What every service of one kind shares."""

    description: str
    needs: tuple[str, ...]
    domains: tuple[str, ...]
    publics: tuple[str, ...]
    hours: str
    fee: str = FeeKind.FREE
    fee_description: str = ""
    offer_kind: str = OfferKind.SPECIALISED
    access: tuple[str, ...] = ("by_phone",)
    application_process: str = ""
    eligibility: str = ""
    age_min: int | None = None
    accessibility: tuple[str, ...] = ()
    summer_closure: bool = False
    languages: tuple[tuple[str, str], ...] = (("fr", "Français"),)


RECIPES = {
    "meals": Recipe(
        "Livraison à domicile de repas équilibrés, midi et soir, adaptés aux régimes (diabète, sans sel, mixé).",
        ("se-nourrir",),
        ("maintien-a-domicile",),
        ("personnes-agees", "personnes-handicapees"),
        "office",
        FeeKind.MEANS_TESTED,
        "De 4,60 € à 9,40 € le repas selon les ressources ; aide possible au titre de l'APA.",
        access=("by_phone", "by_appointment"),
        application_process="Un premier appel, puis une visite pour choisir les repas.",
        eligibility="Personnes de 60 ans et plus, ou en situation de handicap, vivant à domicile.",
        age_min=60,
        accessibility=("home_visits",),
    ),
    "home_help": Recipe(
        "Aide au ménage, aux courses, aux repas et à la toilette, par des auxiliaires de vie diplômées.",
        ("organiser-sa-vie-quotidienne", "prendre-soin-de-soi-et-se-soigner"),
        ("maintien-a-domicile",),
        ("personnes-agees", "personnes-handicapees"),
        "office",
        FeeKind.MEANS_TESTED,
        "Tarif horaire selon les ressources, pris en charge en partie par l'APA ou la PCH ; crédit d'impôt.",
        access=("by_phone", "by_appointment"),
        application_process="Une évaluation à domicile fixe les heures et le reste à charge.",
        accessibility=("home_visits",),
    ),
    "alarm": Recipe(
        "Un médaillon ou un bracelet relie la personne, jour et nuit, à une centrale d'écoute qui alerte "
        "ses proches ou les secours.",
        ("prendre-soin-de-soi-et-se-soigner", "etre-informe-et-ecoute"),
        ("maintien-a-domicile",),
        ("personnes-agees", "personnes-isolees"),
        "round_the_clock",
        FeeKind.PAID,
        "Abonnement de 9 € à 25 € par mois ; installation gratuite.",
        access=("by_phone",),
        accessibility=("home_visits",),
    ),
    "nursing_home": Recipe(
        "Établissement d'hébergement pour personnes âgées dépendantes : chambres individuelles, soins, "
        "animations ; accueil temporaire possible.",
        ("prendre-soin-de-soi-et-se-soigner", "se-nourrir"),
        ("hebergement", "sante"),
        ("personnes-agees",),
        "every_day",
        FeeKind.PAID,
        "Prix de journée hébergement de 68 € à 79 € ; aide sociale à l'hébergement et APL possibles.",
        access=("by_appointment",),
        application_process="Dossier unique d'admission en EHPAD (via ViaTrajectoire), puis visite.",
        age_min=60,
        accessibility=("step_free", "hearing_loop"),
    ),
    "day_care": Recipe(
        "Accueil à la journée de personnes vivant avec la maladie d'Alzheimer ou une maladie apparentée : "
        "ateliers, repas, et du répit pour l'aidant.",
        ("parler-avec-autrui", "s-occuper-et-se-cultiver"),
        ("soutien-aux-aidants", "sante"),
        ("personnes-agees", "aidants"),
        "day_club",
        FeeKind.MEANS_TESTED,
        "Environ 30 € la journée, repas compris ; transport organisé.",
        access=("by_appointment", "on_referral_only"),
        application_process="Sur orientation du médecin traitant ou du CLIC, après une visite de préadmission.",
        accessibility=("step_free",),
        summer_closure=True,
    ),
    "clic": Recipe(
        "Information et conseil sur le maintien à domicile, l'hébergement, les aides financières et les droits "
        "(aide à la demande d'APA, l'allocation personnalisée d'autonomie) ; évaluation des besoins à domicile.",
        ("etre-informe-et-ecoute", "organiser-sa-vie-quotidienne"),
        ("aides-financieres", "maintien-a-domicile", "hebergement", "soutien-aux-aidants"),
        ("personnes-agees", "aidants"),
        "office",
        access=("walk_in", "by_appointment", "by_phone"),
        age_min=60,
        accessibility=("step_free", "easy_read"),
        summer_closure=True,
    ),
    "transport": Recipe(
        "Des chauffeurs bénévoles accompagnent aux rendez-vous médicaux, aux courses et chez les proches.",
        ("pouvoir-sortir-et-maintenir-une-activite-physique", "organiser-sa-vie-quotidienne"),
        ("transport",),
        ("personnes-agees", "personnes-isolees"),
        "transport",
        FeeKind.PAID,
        "0,40 € par kilomètre, adhésion annuelle de 5 €.",
        offer_kind=OfferKind.VOLUNTEER,
        access=("by_phone",),
        application_process="Réserver 48 heures à l'avance.",
    ),
    "grocery": Recipe(
        "Produits alimentaires et d'hygiène à 10 à 30 % de leur prix, et un atelier cuisine chaque mois.",
        ("se-nourrir",),
        ("aides-financieres", "vie-sociale"),
        ("personnes-en-precarite", "familles"),
        "grocery",
        FeeKind.MEANS_TESTED,
        "Accès selon le reste à vivre, pour trois mois renouvelables.",
        offer_kind=OfferKind.ORDINARY_ACCESSIBLE,
        access=("on_referral_only",),
        application_process="Sur orientation d'un travailleur social (CCAS, département).",
        accessibility=("step_free",),
        summer_closure=True,
    ),
    "visits": Recipe(
        "Des bénévoles rendent visite chaque semaine aux personnes âgées isolées, à domicile ou en "
        "établissement, et appellent pendant les fortes chaleurs.",
        ("parler-avec-autrui", "etre-informe-et-ecoute"),
        ("vie-sociale",),
        ("personnes-agees", "personnes-isolees"),
        "visits",
        offer_kind=OfferKind.VOLUNTEER,
        access=("by_phone",),
        application_process="Un appel suffit, pour soi ou pour un proche.",
        accessibility=("home_visits",),
    ),
    "sign_language": Recipe(
        "Interprètes en langue des signes française pour les rendez-vous administratifs, médicaux et sociaux.",
        ("etre-informe-et-ecoute",),
        ("sante",),
        ("personnes-handicapees",),
        "mornings",
        access=("by_appointment",),
        application_process="Réserver par SMS ou courriel au moins une semaine à l'avance.",
        accessibility=("sign_language", "step_free", "easy_read"),
        languages=(("fr", "Français"), ("fsl", "Langue des signes française")),
    ),
    "nursing": Recipe(
        "Soins infirmiers et d'hygiène à domicile, sur prescription médicale.",
        ("prendre-soin-de-soi-et-se-soigner",),
        ("sante", "maintien-a-domicile"),
        ("personnes-agees", "personnes-handicapees"),
        "every_day",
        fee_description="Pris en charge par l'Assurance maladie.",
        access=("on_referral_only", "by_phone"),
        application_process="Sur prescription du médecin traitant.",
        accessibility=("home_visits",),
    ),
    "carers": Recipe(
        "Groupe de parole, formation et relais pour les proches aidants, une fois par mois.",
        ("parler-avec-autrui", "etre-informe-et-ecoute"),
        ("soutien-aux-aidants",),
        ("aidants",),
        "mornings",
        access=("by_phone", "by_appointment"),
        accessibility=("step_free", "hearing_loop"),
        summer_closure=True,
    ),
    "fraud": Recipe(
        "Ateliers pour repérer les arnaques au téléphone, à la porte et sur internet, et utiliser sa tablette.",
        ("se-premunir-des-arnaques", "s-occuper-et-se-cultiver"),
        ("vie-sociale",),
        ("personnes-agees",),
        "mornings",
        offer_kind=OfferKind.ORDINARY_ACCESSIBLE,
        access=("walk_in", "by_phone"),
        accessibility=("step_free",),
    ),
    "housing": Recipe(
        "Conseil et travaux pour adapter le logement : douche de plain-pied, barres d'appui, monte-escalier.",
        ("organiser-sa-vie-quotidienne",),
        ("amenagement-du-logement", "aides-financieres"),
        ("personnes-agees", "personnes-handicapees"),
        "office",
        access=("by_appointment",),
        accessibility=("home_visits",),
    ),
    "legal": Recipe(
        "Information sur la tutelle, la curatelle, l'habilitation familiale et le mandat de protection future.",
        ("etre-informe-et-ecoute", "retirer-de-l-argent"),
        ("protection-juridique",),
        ("personnes-agees", "aidants", "familles"),
        "mornings",
        access=("by_appointment",),
        accessibility=("step_free",),
    ),
    "worship": Recipe(
        "Des bénévoles accompagnent à un office religieux ou au cimetière, et portent la communion à domicile.",
        ("maintenir-des-rituels-symboliques-ou-spirituels", "pouvoir-sortir-et-maintenir-une-activite-physique"),
        ("vie-sociale",),
        ("personnes-agees", "personnes-isolees"),
        "visits",
        offer_kind=OfferKind.VOLUNTEER,
        access=("by_phone",),
    ),
    "bank": Recipe(
        "Aide pour retirer de l'argent, suivre son budget et ses comptes, avec une conseillère en économie "
        "sociale et familiale.",
        ("retirer-de-l-argent", "organiser-sa-vie-quotidienne"),
        ("aides-financieres",),
        ("personnes-agees", "personnes-en-precarite"),
        "office",
        access=("by_appointment", "by_phone"),
        accessibility=("step_free", "easy_read"),
    ),
}

# (key, recipe, organisation, name, commune of the place, communes served, extra accessibility)
# Côte-d'Or (21).
DEMO_SERVICES_21 = [
    ("meals-dijon", "meals", "CCAS de Dijon", "Portage de repas à domicile", "Dijon", ["Dijon"], ("step_free",)),
    (
        "meals-chenove",
        "meals",
        "Mairie de Chenôve",
        "Portage de repas — Chenôve",
        "Chenôve",
        ["Chenôve", "Longvic"],
        (),
    ),
    (
        "meals-beaune",
        "meals",
        "CIAS du Pays de Beaune",
        "Repas à domicile du Pays beaunois",
        "Beaune",
        ["Beaune", "Savigny-lès-Beaune", "Meursault", "Pommard"],
        (),
    ),
    (
        "meals-talant",
        "meals",
        "Aide et présence à domicile dijonnaise",
        "Livraison de repas Talant – Fontaine",
        "Talant",
        ["Talant", "Fontaine-lès-Dijon", "Dijon"],
        (),
    ),
    ("meals-semur", "meals", "SSIAD de l'Auxois", "Portage de repas de l'Auxois", "Semur-en-Auxois", None, ()),
    (
        "help-dijon",
        "home_help",
        "Aide et présence à domicile dijonnaise",
        "Aide à domicile et auxiliaires de vie",
        "Dijon",
        ["Dijon", "Talant", "Chenôve"],
        ("step_free",),
    ),
    ("help-ccas", "home_help", "CCAS de Dijon", "Service d'aide à domicile du CCAS", "Dijon", ["Dijon"], ()),
    (
        "help-beaune",
        "home_help",
        "CIAS du Pays de Beaune",
        "Aide à domicile — Pays de Beaune",
        "Beaune",
        ["Beaune", "Meursault", "Pommard"],
        (),
    ),
    ("help-quetigny", "home_help", "Équipe citoyenne de Quetigny", "Coup de main courses", "Quetigny", None, ()),
    (
        "alarm-departement",
        "alarm",
        "Conseil départemental de la Côte-d'Or",
        "Téléassistance départementale",
        "Dijon",
        ["Dijon", "Beaune", "Chenôve", "Talant", "Quetigny", "Montbard", "Auxonne"],
        (),
    ),
    ("alarm-ccas", "alarm", "CCAS de Dijon", "Téléalarme du CCAS", "Dijon", ["Dijon"], ()),
    ("ehpad-dijon", "nursing_home", "CCAS de Dijon", "EHPAD Les Tilleuls", "Dijon", None, ()),
    ("ehpad-beaune", "nursing_home", "CIAS du Pays de Beaune", "EHPAD Les Vignes", "Beaune", None, ()),
    ("ehpad-chenove", "nursing_home", "Mairie de Chenôve", "EHPAD du Plateau", "Chenôve", None, ()),
    ("ehpad-semur", "nursing_home", "SSIAD de l'Auxois", "EHPAD du Val de l'Armançon", "Semur-en-Auxois", None, ()),
    ("day-dijon", "day_care", "CLIC du Grand Dijon", "Accueil de jour Le Jardin", "Dijon", None, ()),
    ("day-beaune", "day_care", "CIAS du Pays de Beaune", "Accueil de jour La Parenthèse", "Beaune", None, ()),
    ("clic-dijon", "clic", "CLIC du Grand Dijon", "Point d'information seniors — CLIC", "Dijon", None, ()),
    ("clic-quetigny", "clic", "CLIC du Grand Dijon", "Permanence du CLIC à Quetigny", "Quetigny", None, ()),
    ("clic-beaune", "clic", "CIAS du Pays de Beaune", "Espace seniors du Pays de Beaune", "Beaune", None, ()),
    (
        "clio-info",
        "clic",
        "Centre d'information handicap de Côte-d'Or",
        "Accueil et information handicap",
        "Dijon",
        None,
        ("sign_language", "hearing_loop"),
    ),
    ("transport-quetigny", "transport", "Équipe citoyenne de Quetigny", "Transport solidaire", "Quetigny", None, ()),
    ("transport-dijon", "transport", "Les Petits Frères du Dijonnais", "Allô accompagnement", "Dijon", None, ()),
    (
        "transport-beaune",
        "transport",
        "CIAS du Pays de Beaune",
        "Mobilité solidaire du Beaunois",
        "Beaune",
        ["Beaune", "Meursault", "Pommard", "Savigny-lès-Beaune", "Nuits-Saint-Georges"],
        (),
    ),
    ("grocery-talant", "grocery", "Épicerie solidaire de Talant", "Épicerie solidaire", "Talant", None, ()),
    ("grocery-chenove", "grocery", "Mairie de Chenôve", "Épicerie sociale de Chenôve", "Chenôve", None, ()),
    ("visits-dijon", "visits", "Les Petits Frères du Dijonnais", "Visites de convivialité", "Dijon", None, ()),
    ("visits-quetigny", "visits", "Équipe citoyenne de Quetigny", "Voisins solidaires", "Quetigny", None, ()),
    ("visits-calls", "visits", "Les Petits Frères du Dijonnais", "Appels de convivialité", "Dijon", None, ()),
    (
        "lsf-dijon",
        "sign_language",
        "Centre d'information handicap de Côte-d'Or",
        "Interprétation en LSF",
        "Dijon",
        None,
        ("hearing_loop",),
    ),
    ("nursing-semur", "nursing", "SSIAD de l'Auxois", "Soins infirmiers à domicile", "Semur-en-Auxois", None, ()),
    ("carers-dijon", "carers", "CLIC du Grand Dijon", "Café des aidants", "Dijon", None, ()),
    ("carers-beaune", "carers", "CIAS du Pays de Beaune", "Halte répit aidants", "Beaune", None, ()),
    (
        "fraud-carsat",
        "fraud",
        "Carsat Bourgogne-Franche-Comté",
        "Ateliers « Bien vivre le numérique »",
        "Dijon",
        None,
        (),
    ),
    (
        "fraud-pharmacy",
        "fraud",
        "Pharmacie du Marché",
        "Conseils santé et prévention des arnaques",
        "Beaune",
        None,
        (),
    ),
    (
        "housing-landlord",
        "housing",
        "Habitat bourguignon",
        "Adaptation du logement des locataires âgés",
        "Dijon",
        None,
        (),
    ),
    ("housing-caf", "housing", "CAF de la Côte-d'Or", "Conseil habitat et aides au logement", "Dijon", None, ()),
    (
        "legal-departement",
        "legal",
        "Conseil départemental de la Côte-d'Or",
        "Point info protection juridique",
        "Dijon",
        None,
        (),
    ),
    ("worship-visits", "worship", "Les Petits Frères du Dijonnais", "Accompagnement aux offices", "Dijon", None, ()),
    ("bank-ccas", "bank", "CCAS de Dijon", "Accompagnement budgétaire", "Dijon", None, ()),
    (
        "dac-info",
        "clic",
        "DAC 21 — Dispositif d'appui à la coordination",
        "Appui aux situations complexes",
        "Dijon",
        None,
        (),
    ),
]
# Two drafts: the public directory and the API must never show them.
DEMO_DRAFTS_21 = [
    ("draft-meals", "meals", "CCAS de Dijon", "Portage de repas du week-end (en préparation)", "Dijon", None, ()),
    (
        "draft-visits",
        "visits",
        "Les Petits Frères du Dijonnais",
        "Visites à l'hôpital (en préparation)",
        "Dijon",
        None,
        (),
    ),
]

# Ille-et-Vilaine (35): Rennes and its metropolis, the CIAS à l'ouest de Rennes (« la Longère » of
# the UNCCAS guide), Saint-Malo, Fougères, Vitré, Redon.
# The « CIAS à l'ouest de Rennes » of the UNCCAS guide: six communes of Rennes Métropole.
WEST_OF_RENNES = ["Le Rheu", "Mordelles", "L'Hermitage", "Chavagne", "Cintré", "La Chapelle-Thouarault"]
DEMO_SERVICES_35 = [
    ("rennes-meals", "meals", "CCAS de Rennes", "Portage de repas à domicile", "Rennes", ["Rennes"], ("step_free",)),
    (
        "sjdl-meals",
        "meals",
        "Mairie de Saint-Jacques-de-la-Lande",
        "Portage de repas — Saint-Jacques",
        "Saint-Jacques-de-la-Lande",
        ["Saint-Jacques-de-la-Lande", "Chartres-de-Bretagne"],
        (),
    ),
    (
        "ouest-rennes-meals",
        "meals",
        "CIAS à l'Ouest de Rennes",
        "Repas à domicile de l'Ouest rennais",
        "Le Rheu",
        WEST_OF_RENNES,
        (),
    ),
    (
        "vitre-meals",
        "meals",
        "Repas et Compagnie du Pays de Vitré",
        "Repas à domicile du Pays de Vitré",
        "Vitré",
        ["Vitré", "Argentré-du-Plessis", "Étrelles"],
        (),
    ),
    ("saint-malo-meals", "meals", "CCAS de Saint-Malo", "Portage de repas — Saint-Malo", "Saint-Malo", None, ()),
    (
        "fougeres-meals",
        "meals",
        "SSIAD du Pays de Fougères",
        "Portage de repas du Pays de Fougères",
        "Fougères",
        ["Fougères", "Lécousse", "Javené"],
        (),
    ),
    (
        "rennes-help",
        "home_help",
        "Aide et présence à domicile rennaise",
        "Aide à domicile et auxiliaires de vie",
        "Rennes",
        ["Rennes", "Cesson-Sévigné", "Saint-Grégoire", "Betton"],
        ("step_free",),
    ),
    ("rennes-help-ccas", "home_help", "CCAS de Rennes", "Service d'aide à domicile du CCAS", "Rennes", ["Rennes"], ()),
    (
        "ouest-rennes-help",
        "home_help",
        "CIAS à l'Ouest de Rennes",
        "Aide à domicile — Ouest de Rennes",
        "Mordelles",
        WEST_OF_RENNES,
        (),
    ),
    ("saint-malo-help", "home_help", "CCAS de Saint-Malo", "Aide à domicile malouine", "Saint-Malo", None, ()),
    ("betton-help", "home_help", "Équipe citoyenne de Betton", "Coup de main courses", "Betton", None, ()),
    (
        "ille-et-vilaine-alarm",
        "alarm",
        "Conseil départemental d'Ille-et-Vilaine",
        "Téléassistance départementale",
        "Rennes",
        ["Rennes", "Saint-Malo", "Fougères", "Vitré", "Redon", "Bruz", "Cesson-Sévigné", "Montfort-sur-Meu"],
        (),
    ),
    ("rennes-alarm", "alarm", "CCAS de Rennes", "Téléalarme du CCAS", "Rennes", ["Rennes"], ()),
    ("rennes-ehpad", "nursing_home", "CCAS de Rennes", "EHPAD Les Hortensias", "Rennes", None, ()),
    ("ouest-rennes-ehpad", "nursing_home", "CIAS à l'Ouest de Rennes", "EHPAD Les Chênes", "Mordelles", None, ()),
    (
        "sjdl-ehpad",
        "nursing_home",
        "Mairie de Saint-Jacques-de-la-Lande",
        "EHPAD Les Ajoncs",
        "Saint-Jacques-de-la-Lande",
        None,
        (),
    ),
    ("fougeres-ehpad", "nursing_home", "SSIAD du Pays de Fougères", "EHPAD de la Forêt", "Fougères", None, ()),
    ("rennes-day", "day_care", "CLIC du Pays de Rennes", "Accueil de jour Le Jardin", "Rennes", None, ()),
    ("ouest-rennes-day", "day_care", "CIAS à l'Ouest de Rennes", "Accueil de jour La Parenthèse", "Le Rheu", None, ()),
    ("rennes-clic", "clic", "CLIC du Pays de Rennes", "Point d'information seniors — CLIC", "Rennes", None, ()),
    (
        "cesson-clic",
        "clic",
        "CLIC du Pays de Rennes",
        "Permanence du CLIC à Cesson-Sévigné",
        "Cesson-Sévigné",
        None,
        (),
    ),
    (
        "ouest-rennes-clic",
        "clic",
        "CIAS à l'Ouest de Rennes",
        "Espace seniors de l'Ouest rennais",
        "Le Rheu",
        WEST_OF_RENNES,
        (),
    ),
    (
        "ille-et-vilaine-clio",
        "clic",
        "Centre d'information handicap d'Ille-et-Vilaine",
        "Accueil et information handicap",
        "Rennes",
        None,
        ("sign_language", "hearing_loop"),
    ),
    ("betton-transport", "transport", "Équipe citoyenne de Betton", "Transport solidaire", "Betton", None, ()),
    ("rennes-transport", "transport", "Les Petits Frères du Rennais", "Allô accompagnement", "Rennes", None, ()),
    (
        "redon-transport",
        "transport",
        "Mobilité solidaire du Pays de Redon",
        "Chauffeurs solidaires du Pays de Redon",
        "Redon",
        ["Redon", "Bains-sur-Oust"],
        (),
    ),
    (
        "ouest-rennes-transport",
        "transport",
        "CIAS à l'Ouest de Rennes",
        "Navette solidaire vers la Longère",
        "Le Rheu",
        WEST_OF_RENNES,
        (),
    ),
    (
        "saint-malo-grocery",
        "grocery",
        "Épicerie solidaire malouine",
        "Épicerie solidaire",
        "Saint-Malo",
        ["Saint-Malo", "Saint-Méloir-des-Ondes", "Saint-Coulomb", "Cancale"],
        (),
    ),
    (
        "sjdl-grocery",
        "grocery",
        "Mairie de Saint-Jacques-de-la-Lande",
        "Épicerie sociale de Saint-Jacques",
        "Saint-Jacques-de-la-Lande",
        None,
        (),
    ),
    ("rennes-grocery", "grocery", "CCAS de Rennes", "Aide alimentaire et épicerie sociale", "Rennes", None, ()),
    ("rennes-visits", "visits", "Les Petits Frères du Rennais", "Visites de convivialité", "Rennes", None, ()),
    ("betton-visits", "visits", "Équipe citoyenne de Betton", "Voisins solidaires", "Betton", None, ()),
    ("rennes-calls", "visits", "Les Petits Frères du Rennais", "Appels de convivialité", "Rennes", None, ()),
    (
        "ouest-rennes-longere",
        "visits",
        "CIAS à l'Ouest de Rennes",
        "La Longère — café campagne et rencontres",
        "Le Rheu",
        WEST_OF_RENNES,
        ("step_free",),
    ),
    (
        "ille-et-vilaine-lsf",
        "sign_language",
        "Centre d'information handicap d'Ille-et-Vilaine",
        "Interprétation en LSF",
        "Rennes",
        None,
        ("hearing_loop",),
    ),
    (
        "fougeres-nursing",
        "nursing",
        "SSIAD du Pays de Fougères",
        "Soins infirmiers à domicile",
        "Fougères",
        ["Fougères", "Lécousse", "Javené"],
        (),
    ),
    ("rennes-carers", "carers", "CLIC du Pays de Rennes", "Café des aidants", "Rennes", None, ()),
    (
        "ouest-rennes-carers",
        "carers",
        "CIAS à l'Ouest de Rennes",
        "Halte répit aidants à la Longère",
        "Le Rheu",
        WEST_OF_RENNES,
        (),
    ),
    ("bretagne-fraud", "fraud", "Carsat Bretagne", "Ateliers « Bien vivre le numérique »", "Rennes", None, ()),
    (
        "vitre-fraud",
        "fraud",
        "Pharmacie des Rochers",
        "Conseils santé et prévention des arnaques",
        "Vitré",
        None,
        (),
    ),
    (
        "ille-et-vilaine-housing-landlord",
        "housing",
        "Habitat brétillien",
        "Adaptation du logement des locataires âgés",
        "Rennes",
        None,
        (),
    ),
    (
        "ille-et-vilaine-housing-caf",
        "housing",
        "CAF d'Ille-et-Vilaine",
        "Conseil habitat et aides au logement",
        "Rennes",
        None,
        (),
    ),
    (
        "ille-et-vilaine-legal",
        "legal",
        "Conseil départemental d'Ille-et-Vilaine",
        "Point info protection juridique",
        "Rennes",
        None,
        (),
    ),
    (
        "saint-malo-legal",
        "legal",
        "Conseil départemental d'Ille-et-Vilaine",
        "Permanence protection juridique — Saint-Malo",
        "Saint-Malo",
        None,
        (),
    ),
    ("rennes-worship", "worship", "Les Petits Frères du Rennais", "Accompagnement aux offices", "Rennes", None, ()),
    ("rennes-bank", "bank", "CCAS de Rennes", "Accompagnement budgétaire", "Rennes", None, ()),
    (
        "ille-et-vilaine-dac",
        "clic",
        "DAC 35 — Dispositif d'appui à la coordination",
        "Appui aux situations complexes",
        "Rennes",
        None,
        (),
    ),
]
DEMO_DRAFTS_35 = [
    (
        "rennes-draft-meals",
        "meals",
        "CCAS de Rennes",
        "Portage de repas du week-end (en préparation)",
        "Rennes",
        None,
        (),
    ),
    (
        "rennes-draft-visits",
        "visits",
        "Les Petits Frères du Rennais",
        "Visites à l'hôpital (en préparation)",
        "Rennes",
        None,
        (),
    ),
]

# Département → (published services, drafts).
DEMO_DIRECTORY = {"35": (DEMO_SERVICES_35, DEMO_DRAFTS_35), "21": (DEMO_SERVICES_21, DEMO_DRAFTS_21)}


@dataclass
class _Context:
    departement: str
    phone_prefix: str
    fake: Faker
    rng: random.Random
    organisations: dict[str, Organisation]
    terms: dict[tuple[str, str], TaxonomyTerm] = field(default_factory=dict)
    communes: dict[str, Commune] = field(default_factory=dict)

    def commune(self, name: str) -> Commune:
        if name not in self.communes:
            self.communes[name] = Commune.objects.get(
                departement__code=self.departement, name=name, kind=Commune.KIND_COMMUNE
            )
        return self.communes[name]

    def phone(self) -> str:
        return self.phone_prefix + " " + " ".join(f"{self.rng.randint(10, 99)}" for _ in range(3))


def _summer_closure(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    year = today.year if today <= datetime.date(today.year, 8, 22) else today.year + 1
    return datetime.date(year, 8, 1), datetime.date(year, 8, 22)


def _create(ctx: _Context, row: tuple, status: str) -> Service:
    key, recipe_key, organisation_name, name, commune_name, served, extra_accessibility = row
    recipe = RECIPES[recipe_key]
    organisation = ctx.organisations[organisation_name]
    commune = ctx.commune(commune_name)
    now = timezone.now()
    stale = ctx.rng.random() < 0.15
    service = Service(
        organisation=organisation,
        name=name,
        description=recipe.description,
        status=status,
        offer_kind=recipe.offer_kind,
        age_min=recipe.age_min,
        eligibility_description=recipe.eligibility,
        fee_kind=recipe.fee,
        fee_description=recipe.fee_description,
        application_process=recipe.application_process,
        email=f"{key}@{slugify(organisation_name.split()[0])}.demo.maillage.example",
        source=DEMO_SOURCE,
        source_id=key,
        last_verified_at=now - datetime.timedelta(days=400 if stale else ctx.rng.randint(1, 200)),
        **dict.fromkeys(recipe.access, True),
    )
    service.full_clean()
    service.save()
    terms = [ctx.terms[("besoins-essentiels", c)] for c in recipe.needs]
    terms += [ctx.terms[("domaines-clic", c)] for c in recipe.domains]
    terms += [ctx.terms[("publics", c)] for c in recipe.publics]
    service.terms.set(terms)
    service.communes_served.set([ctx.commune(n) for n in (served or [commune_name])])
    place = Location(
        organisation=organisation,
        address=ctx.fake.street_address(),
        postal_code=(commune.postal_codes or [""])[0],
        commune=commune,
    )
    place.full_clean()
    place.save()
    ServiceAtLocation.objects.create(service=service, location=place)
    Phone.objects.create(service=service, number=ctx.phone(), description="Accueil")
    ServiceAccessibility.objects.bulk_create(
        [
            ServiceAccessibility(service=service, feature=f)
            for f in dict.fromkeys(recipe.accessibility + extra_accessibility)
        ]
    )
    ServiceLanguage.objects.bulk_create(
        [ServiceLanguage(service=service, code=c, name=n) for c, n in recipe.languages]
    )
    RegularSchedule.objects.bulk_create(
        [
            RegularSchedule(
                service=service,
                weekday=day,
                opens_at=datetime.time.fromisoformat(opens),
                closes_at=datetime.time.fromisoformat(closes),
            )
            for day, spans in HOURS[recipe.hours].items()
            for opens, closes in spans
        ]
    )
    if recipe.summer_closure:
        start, end = _summer_closure(timezone.localdate())
        ScheduleException.objects.create(
            service=service, start_date=start, end_date=end, is_closed=True, description="Fermeture estivale"
        )
    service_reindex(service)
    return service


def seed_directory_demo(
    *,
    organisations: dict[str, Organisation],
    fake: Faker,
    rng: random.Random,
    departement: str = "35",
    phone_prefix: str = "",
) -> int:
    """Create the département's demo services that are missing; returns how many were created."""
    services, drafts = DEMO_DIRECTORY[departement]
    phone_prefix = phone_prefix or {"35": "02 99", "21": "03 80"}[departement]
    existing = set(Service.objects.filter(source=DEMO_SOURCE).values_list("source_id", flat=True))
    ctx = _Context(departement=departement, phone_prefix=phone_prefix, fake=fake, rng=rng, organisations=organisations)
    ctx.terms = {
        (t.taxonomy.slug, t.code): t
        for t in TaxonomyTerm.objects.filter(
            taxonomy__slug__in=["besoins-essentiels", "domaines-clic", "publics"]
        ).select_related("taxonomy")
    }
    created = 0
    for rows, status in ((services, ServiceStatus.PUBLISHED), (drafts, ServiceStatus.DRAFT)):
        for row in rows:
            if row[0] in existing:
                continue
            _create(ctx, row, status)
            created += 1
    return created
