"""French grammar for the sentences Maillage writes itself (timeline, messages, dashboards, e-mails,
the right-of-access PDF): elision (« qu'agent », « d'Élise »), articles and their contractions
(« du CCAS », « de la mairie », « de l'équipe », « des Petits Frères »), demonstratives
(« ce/cet/cette/ces ») and the agreement of past participles (« signé/signée/signés/signées »).

A sentence is built from a noun phrase whose gender and number the helper knows: the head noun of
the phrase — its first word that is not an article, a number or an acronym's expansion — is looked up
in `LEXICON` (the nouns of Maillage's own labels: assessment, plan and document kinds, roles,
organisation names). A phrase whose head noun is unknown raises `UnknownNoun`: a label added without
its gender fails the tests (tests/core/test_grammar.py walks every label the sentences use), instead of
reaching a user as « Repérage signée ».

Rules (Grevisse, *Le Bon Usage*, §§ 44-48 elision, 580 contraction of articles, 940 agreement with
« être »): « le, la, de, que, je, me, te, se, ne, jusque, lorsque, puisque » lose their vowel before a
vowel or a mute h; not before an aspirated h (« le handicap », « du handicap »), nor before a « y »
followed by a vowel (« le yaourt »), nor before an acronym written with a consonant first (« la
MDPH », « du CCAS » — but « l'ARS », « d'EHPAD »).
"""

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Gender = Literal["m", "f"]
Number = Literal["s", "p"]

VOWELS = frozenset("aeiouyàâäéèêëîïôöùûüœæ")
# Words starting with an aspirated h: no elision, no liaison (the ones Maillage's texts may meet).
ASPIRATED_H = frozenset(
    {
        "hache",
        "haie",
        "haine",
        "hall",
        "halte",
        "hameau",
        "hamac",
        "handicap",
        "handicapé",
        "handicapée",
        "handicapés",
        "handicapées",
        "hangar",
        "harcèlement",
        "hasard",
        "hausse",
        "haut",
        "haute",
        "hauteur",
        "héros",
        "hibou",
        "hiérarchie",
        "hollande",
        "honte",
        "hors",
        "hublot",
        "huit",
        "huitième",
        "hurlement",
    }
)
ELIDABLE = frozenset({"le", "la", "de", "que", "je", "me", "te", "se", "ne", "jusque", "lorsque", "puisque"})


class UnknownNoun(KeyError):
    """The head noun of a phrase is not in the lexicon: its gender is unknown."""


@dataclass(frozen=True)
class Noun:
    gender: Gender
    number: Number = "s"


# Head nouns of Maillage's labels, lower case, without accents folded (the key is the word as written).
_M, _F = Noun("m"), Noun("f")
LEXICON: dict[str, Noun] = {
    # assessments, plans, documents, notes, requests
    "évaluation": _F,
    "grille": _F,
    "repérage": _M,
    "besoin": _M,
    "besoins": Noun("m", "p"),
    "situation": _F,
    "version": _F,
    "plan": _M,
    "projet": _M,
    "action": _F,
    "note": _F,
    "tâche": _F,
    "document": _M,
    "pièce": _F,
    "justificatif": _M,
    "certificat": _M,
    "dossier": _M,
    "attestation": _F,
    "courrier": _M,
    "demande": _F,
    "contact": _M,
    "consentement": _M,
    "inscription": _F,
    "fiche": _F,
    "accord": _M,
    "révision": _F,
    "orientation": _F,
    "invitation": _F,
    "sélection": _F,
    "service": _M,
    "autre": _M,
    "personne": _F,
    "adresse": _F,
    "téléphone": _M,
    "proche": _M,
    "accès": _M,
    "objectif": _M,
    "consultation": _F,
    "export": _M,
    "journal": _M,
    # roles (the « en tant que » phrases of core.enums.ROLE_AS)
    "agent": _M,
    "gestionnaire": _M,
    "bénévole": _M,
    "professionnel·le": _M,
    "membre": _M,
    "délégué·e": _M,
    "administrateur·rice": _M,
    "coordinateur·rice": _M,
    # organisations (their names start with their kind)
    "ccas": _M,
    "cias": _M,
    "clic": _M,
    "clio": _M,
    "dac": _M,
    "maia": _F,
    "saad": _M,
    "ssiad": _M,
    "spasad": _M,
    "ehpad": _M,
    "caf": _F,
    "carsat": _F,
    "mdph": _F,
    "msa": _F,
    "cpam": _F,
    "udaf": _F,
    "mairie": _F,
    "commune": _F,
    "ville": _F,
    "conseil": _M,
    "centre": _M,
    "maison": _F,
    "association": _F,
    "équipe": _F,
    "épicerie": _F,
    "pharmacie": _F,
    "plateforme": _F,
    "dispositif": _M,
    "établissement": _M,
    "résidence": _F,
    "foyer": _M,
    "accueil": _M,
    "union": _F,
    "fédération": _F,
    "comité": _M,
    "communauté": _F,
    "métropole": _F,
    "département": _M,
    "secours": _M,
    "hôpital": _M,
    "hébergement": _M,
    "heure": _F,
    "handicap": _M,
    "hameau": _M,
    "bailleur": _M,
    "habitat": _M,
    "office": _M,
    "petits": Noun("m", "p"),
}
ARTICLES = {"le": ("m", "s"), "la": ("f", "s"), "les": (None, "p")}
SKIPPED = frozenset({"un", "une", "des", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix"})


def _plain(word: str) -> str:
    return unicodedata.normalize("NFC", word.strip().lower())


def _first_word(text: str) -> str:
    match = re.match(r"[\wÀ-ÿœæŒÆ·-]+", text.strip())
    return match.group(0) if match else ""


def starts_with_vowel_sound(text: str) -> bool:
    """Whether `text` starts with a vowel sound: a vowel or a mute h. An acronym elides only before
    a written vowel (« l'ARS », « d'EHPAD »), never before a consonant letter, even one whose name
    starts with a vowel sound (« la MDPH », « du SSIAD »)."""
    word = _first_word(text)
    if not word:
        return False
    lower = _plain(word)
    first = lower[0]
    if first == "h":
        return lower not in ASPIRATED_H and lower.split("-")[0] not in ASPIRATED_H
    if first == "y":
        return len(lower) == 1 or lower[1] not in VOWELS  # « l'Yonne », « le yaourt »
    return first in VOWELS


def elide(particle: str, following: str) -> str:
    """« que » + « agent » → « qu'agent »; « de » + « Élise » → « d'Élise »; otherwise joined by a
    space (« de Jeanne », « le handicap »)."""
    if _plain(particle) in ELIDABLE and starts_with_vowel_sound(following):
        return f"{particle[:-1]}'{following.lstrip()}"
    return f"{particle} {following.lstrip()}"


def de(text: str) -> str:
    """« de Jeanne », « d'Élise » (no article: names of persons, quoted titles)."""
    return elide("de", text)


def que(text: str) -> str:
    """« que bénévole », « qu'agent d'accueil »."""
    return elide("que", text)


def noun_of(phrase: str) -> Noun:
    """The gender and number of a noun phrase, from its article and head noun: « Les dix besoins
    essentiels » (m, p), « Grille AGGIR (autonomie) » (f, s), « Repérage de la fragilité » (m, s)."""
    words = re.findall(r"[\wÀ-ÿœæŒÆ·'-]+", phrase)
    number = None
    for raw in words:
        word = _plain(raw)
        if "'" in word:  # « l'équipe »: the noun after the elided article
            word = word.split("'", 1)[1]
        if word in ARTICLES:
            number = ARTICLES[word][1]
            continue
        if word in SKIPPED or word.isdigit():
            continue
        noun = LEXICON.get(word)
        if noun is None and word[-1:] in ("s", "x") and word[:-1] in LEXICON:  # a plural
            noun = Noun(LEXICON[word[:-1]].gender, "p")
        if noun is None:
            raise UnknownNoun(f"Genre inconnu pour « {raw} » (dans « {phrase} ») : ajoutez-le à grammar.LEXICON.")
        return Noun(noun.gender, number or noun.number)
    raise UnknownNoun(f"Aucun nom dans « {phrase} ».")


def agree(participle: str, noun: Noun | str) -> str:
    """A past participle (or adjective) given in the masculine singular, agreed with the noun
    (or noun phrase): « signé » → « signée » (une grille), « signés » (les besoins)."""
    if isinstance(noun, str):
        noun = noun_of(noun)
    word = participle
    if noun.gender == "f" and not word.endswith("e"):
        word += "e"
    if noun.number == "p" and not word.endswith(("s", "x")):
        word += "s"
    return word


def _strip_article(phrase: str) -> tuple[str, str | None]:
    """(the phrase without its leading definite article, that article or None)."""
    match = re.match(r"\s*(les|le|la)\s+(.*)$|\s*(l)['’](.*)$", phrase, flags=re.IGNORECASE | re.DOTALL)
    if not match:
        return phrase.strip(), None
    if match.group(1):
        return match.group(2), match.group(1).lower()
    return match.group(4), "l"


def split_definite(phrase: str) -> tuple[str, str]:
    """(article, phrase) for a name in a sentence: (« le », « CCAS de Dijon »), (« l' », « Équipe
    citoyenne »), (« les », « Petits Frères »); ("", name) for a proper name whose head noun is
    unknown (« Aide et présence à domicile »), which takes no article."""
    rest, article = _strip_article(phrase)
    try:
        noun = noun_of(phrase if article else rest)
    except UnknownNoun:
        return "", phrase.strip()
    if noun.number == "p":
        return "les", rest
    if starts_with_vowel_sound(rest):
        return "l'", rest
    return ("le" if noun.gender == "m" else "la"), rest


def definite(phrase: str) -> str:
    """« le plan », « la grille », « l'évaluation », « les besoins » (the phrase's own article kept)."""
    rest, article = _strip_article(phrase)
    if article is not None:
        return phrase.strip()
    noun = noun_of(rest)
    if noun.number == "p":
        return f"les {rest}"
    return elide("le" if noun.gender == "m" else "la", rest)


def of(phrase: str) -> str:
    """« de » and the definite article, contracted: « du CCAS de Dijon », « de la Mairie de
    Chenôve », « de l'Équipe citoyenne », « des Petits Frères », « du Conseil départemental ». A
    name whose head noun is unknown (a proper name: « Aide et présence ») gets « de »/« d' » alone."""
    rest, article = _strip_article(phrase)
    try:
        noun = noun_of(phrase if article else rest)
    except UnknownNoun:
        if article is None:
            return de(phrase.strip())
        # The name's own article tells its gender (« Le Relais », « La Passerelle »).
        noun = Noun("f" if article == "la" else "m", "p" if article == "les" else "s")
    if noun.number == "p":
        return f"des {rest}"
    if starts_with_vowel_sound(rest):
        return f"de l'{rest}"
    return f"du {rest}" if noun.gender == "m" else f"de la {rest}"


def demonstrative(phrase: str) -> str:
    """« ce plan », « cet accord », « cette grille », « ces besoins »."""
    rest, _article = _strip_article(phrase)
    noun = noun_of(rest)
    if noun.number == "p":
        return f"ces {rest}"
    if noun.gender == "f":
        return f"cette {rest}"
    return f"cet {rest}" if starts_with_vowel_sound(rest) else f"ce {rest}"


def with_article(phrase: str) -> str:
    """« le CCAS de Dijon », « l'Équipe citoyenne », « les Petits Frères »; a proper name alone."""
    article, rest = split_definite(phrase)
    if not article:
        return rest
    return f"{article}{rest}" if article.endswith("'") else f"{article} {rest}"


def to(phrase: str) -> str:
    """« à » and the definite article, contracted: « au CCAS », « à la Mairie », « à l'Équipe »,
    « aux Petits Frères »; « à » alone before a proper name."""
    article, rest = split_definite(phrase)
    contracted = {"le": "au ", "les": "aux ", "la": "à la ", "l'": "à l'", "": "à "}[article]
    return f"{contracted}{rest}"


def count(number: int, noun: str, plural: str | None = None) -> str:
    """« 1 plan », « 3 plans », « aucun plan » is the caller's: the number and the noun agreed."""
    if number <= 1:
        return f"{number} {noun}"
    return f"{number} {plural or noun + 's'}"


def indefinite(phrase: str) -> str:
    """« un plan », « une note », « des besoins »."""
    noun = noun_of(phrase)
    if noun.number == "p":
        return f"des {phrase}"
    return f"{'un' if noun.gender == 'm' else 'une'} {phrase}"


def long_date(day) -> str:
    """« 1er décembre 2026 », « 3 décembre 2026 » (a date or an aware datetime, in local time)."""
    from django.utils import dateformat, timezone

    if hasattr(day, "hour"):
        day = timezone.localtime(day)
    text = dateformat.format(day, "j F Y")
    return "1er" + text[1:] if text.startswith("1 ") else text


def long_datetime(moment) -> str:
    """« 3 décembre 2026 à 10 h 12 » (local time), the way a letter writes it."""
    from django.utils import timezone

    local = timezone.localtime(moment)
    return f"{long_date(local)} à {local.hour} h {local.minute:02d}"


def lower_first(text: str) -> str:
    """A label in the middle of a sentence: its first letter lowered, unless it opens an acronym
    (« Grille AGGIR » → « grille AGGIR », « CCAS de Dijon » stays)."""
    word = _first_word(text)
    if word.isupper() and len(word) > 1:
        return text
    return text[:1].lower() + text[1:]
