"""The words of the register shown to the person: the consent text (one place, stored with each
consent as it was shown).

CASF L121-6-1 (the register is kept by the mayor « afin de favoriser l'intervention des services
sociaux et sanitaires » when the prefect activates the alert and emergency plan; registration is
optional, at the person's or a third party's request); R121-2 (who may be registered: persons aged
65 and over, 60 and over unfit for work, disabled adults living at home); R121-3 to R121-5 (the
data kept, the mayor's yearly information); R121-6 (confidentiality; transmission to the prefect on
request when the plan is activated); R121-7 and R121-9 (removal at any time on request; the right
of access and correction); guide VISA (information of the person, consent, yearly confirmation).
"""

from maillage.core import grammar


def _named(name: str) -> str:
    """« le CCAS de Rennes », « la Mairie de Saint-Malo »; a proper name alone."""
    try:
        return grammar.with_article(name)
    except grammar.UnknownNoun:
        return name


#: How long an entry stays without confirmation before the yearly call (months).
CONFIRMATION_MONTHS = 12


def consent_text(organisation) -> str:
    """The consent wording shown to the person (form, paper, phone), with the organisation's name."""
    name = _named(organisation.name)
    of_org = grammar.of(organisation.name)
    return (
        f"J'accepte que mes données soient inscrites au registre des personnes vulnérables tenu par {name}, "
        "à la demande du maire (articles L121-6-1 et R121-2 à R121-12 du code de l'action sociale et des "
        "familles).\n"
        "Cette inscription est facultative. Elle sert uniquement au plan d'alerte et d'urgence : en cas de "
        "canicule, de grand froid, d'inondation, d'épidémie ou d'autre événement exceptionnel, les services "
        f"{of_org} m'appellent ou viennent me voir pour s'assurer que je vais bien et m'aider si besoin.\n"
        f"Mes données sont lues uniquement par les personnes chargées du registre {of_org} et, pendant "
        "l'alerte, par les agents et les bénévoles qui m'appellent (mon identité, mon âge, mon adresse, mon "
        "téléphone et les personnes à prévenir, jamais mes aides ni ma santé). Quand le plan d'alerte est "
        "déclenché, le préfet peut les demander pour organiser les secours.\n"
        "Je peux demander à tout moment à voir, corriger ou supprimer mes données, et être radié·e du "
        "registre : ma demande est appliquée aussitôt. Chaque année, on me demandera si je souhaite rester "
        "inscrit·e ; si je ne le souhaite plus, ou si je quitte la commune, mes données sont effacées."
    )


def information_text(organisation) -> str:
    """The separate, optional agreement to receive the commune's information (guide VISA)."""
    return (
        f"J'accepte aussi de recevoir les informations {grammar.of(organisation.name)} "
        "(prévention, animations, conseils en cas de canicule ou de grand froid). Je peux l'arrêter à tout moment."
    )
