"""The callers' confidentiality charter (« charte d'engagement des appelant·es »): its text and its version.

Every caller — volunteer or agent — signs it before taking any call (issue 13, point 6; guide VISA,
« Comment partager les informations avec les acteurs compétents sur le territoire ? »: only the minimum
is shared with a caller, never health nor the benefits received). A signature is for one version:
when the text changes, :data:`VERSION` changes too and every caller signs again before their next call
(`access.can_take_calls` compares the version signed with this one). ``tests/volunteers/test_charter.py``
holds the text to :data:`TEXT_FINGERPRINT`, so that a change of the text without a new version fails.

The text is in French, as the callers read it; the organisation's contact is filled in when shown.
"""

import hashlib

#: The charter's version: change it with the text (and TEXT_FINGERPRINT), and every caller signs again.
VERSION = "2026-12"

TITLE = "Charte de confidentialité des appelant·es"

#: (heading, paragraphs). ``{contact}`` is replaced by the organisation's contact (:func:`sections`).
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Ce que j'entends reste confidentiel",
        (
            "Tout ce que j'apprends pendant un appel, sur la personne comme sur son entourage, est confidentiel. "
            "Je n'en parle à personne, sauf au ou à la gestionnaire du registre de ma structure quand la "
            "situation le demande.",
            "Cet engagement continue après la fin de ma mission.",
        ),
    ),
    (
        "Je ne vois que ce qu'il faut, quand il le faut",
        (
            "Je ne consulte les informations d'une personne que pendant un appel qui m'est confié, et "
            "seulement ce qui est nécessaire à cet appel.",
            "Je ne les copie pas, je ne les photographie pas, je ne les note nulle part ailleurs que dans "
            "Maillage, et je ne les transmets à personne.",
        ),
    ),
    (
        "Je n'écris ni santé ni aides perçues",
        (
            "Je ne pose pas de questions sur la santé de la personne ni sur les aides ou prestations qu'elle "
            "reçoit pour les écrire. Je n'inscris ni maladie, ni traitement, ni prestation.",
            "Si la personne en parle, je note seulement le besoin d'aide (courses, repas, visite, transport…) "
            "et je préviens le ou la gestionnaire du registre si la situation m'inquiète.",
        ),
    ),
    (
        "En cas d'urgence",
        (
            "Si la personne est en danger (malaise, chute, détresse, propos inquiétants), j'appelle le 15 "
            "(SAMU) ou le 112, je reste en ligne avec elle si je le peux, puis je préviens sans attendre le ou "
            "la gestionnaire du registre.",
        ),
    ),
    (
        "Je respecte les choix de la personne",
        (
            "La personne peut refuser l'appel, ne pas répondre à une question ou demander à ne plus être "
            "appelée : je respecte sa décision et je la signale.",
            "Je ne juge pas, je ne donne pas de conseil médical et je ne propose rien d'autre que ce que la "
            "commune et ses partenaires proposent.",
        ),
    ),
    (
        "À qui m'adresser",
        ("{contact}",),
    ),
)

#: sha256 of the text above (headings and paragraphs, with the placeholder), first 16 hex digits.
TEXT_FINGERPRINT = "ae895cd2a39e05e0"


def fingerprint() -> str:
    text = "\n".join(f"{heading}\n" + "\n".join(paragraphs) for heading, paragraphs in SECTIONS)
    return hashlib.sha256(f"{TITLE}\n{text}".encode()).hexdigest()[:16]


def contact_sentence(organisation) -> str:
    """« Pour toute question ou difficulté : CCAS de Rennes, 02 99 00 00 00, accueil@… »."""
    details = [organisation.name, *(value for value in (organisation.phone, organisation.email) if value)]
    sentence = f"Pour toute question ou difficulté, je m'adresse à ma structure : {', '.join(details)}"
    if not organisation.phone and not organisation.email:
        sentence += ", par le ou la gestionnaire du registre"
    return sentence + "."


def sections(organisation) -> list[tuple[str, list[str]]]:
    """The charter as shown to a caller of `organisation`, its contact filled in."""
    contact = contact_sentence(organisation)
    return [
        (heading, [paragraph.replace("{contact}", contact) for paragraph in paragraphs])
        for heading, paragraphs in SECTIONS
    ]
