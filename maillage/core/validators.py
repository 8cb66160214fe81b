"""Validators for French identifiers, names, passwords and secret keys.

Pure functions: each raises ``ValidationError`` with a French message naming the reason.
"""

import math
import re
import unicodedata
import zlib
from collections import Counter

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

_SIRET_RE = re.compile(r"^\d{14}$")
# La Poste's establishments share SIREN 356 000 000; their SIRET follow a digit-sum rule, not Luhn
# (INSEE, "Le numéro SIRET de La Poste").
_LA_POSTE_SIREN = "356000000"
_LA_POSTE_HEAD_OFFICE = "35600000000048"  # the head office keeps the Luhn rule


def luhn_is_valid(digits: str) -> bool:
    """Luhn checksum, the key of SIREN and SIRET numbers (INSEE)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def normalise_siret(value: str) -> str:
    """Drop the spaces people type in a SIRET ("123 456 789 00012")."""
    return re.sub(r"[\s.\-]", "", value or "")


def validate_siret(value: str) -> None:
    """A SIRET is 14 digits whose Luhn key is right (La Poste: sum of digits multiple of 5)."""
    siret = normalise_siret(value)
    if not _SIRET_RE.match(siret):
        raise ValidationError(
            "Le SIRET doit comporter exactement 14 chiffres (reçu : « %(value)s »).",
            code="siret_format",
            params={"value": value},
        )
    if siret.startswith(_LA_POSTE_SIREN) and siret != _LA_POSTE_HEAD_OFFICE:
        valid = sum(int(c) for c in siret) % 5 == 0
    else:
        valid = luhn_is_valid(siret)
    if not valid:
        raise ValidationError(
            "Le SIRET « %(value)s » n'est pas valide : sa clé de contrôle est fausse.",
            code="siret_checksum",
            params={"value": value},
        )


class CnilPasswordValidator:
    """Password strength from CNIL deliberation n° 2022-100 (recommendation on passwords).

    Accepted, for a password alone (no other factor): at least 12 characters mixing upper case,
    lower case, digits and special characters; or at least 14 characters mixing upper case, lower
    case and digits. Maillage adds a second factor on top of this.
    """

    def validate(self, password, user=None):
        classes = {
            "upper": any(c.isupper() for c in password),
            "lower": any(c.islower() for c in password),
            "digit": any(c.isdigit() for c in password),
            "special": any(not c.isalnum() for c in password),
        }
        if len(password) >= 12 and all(classes.values()):
            return
        if len(password) >= 14 and classes["upper"] and classes["lower"] and classes["digit"]:
            return
        raise ValidationError(
            "Le mot de passe doit comporter au moins 12 caractères avec des majuscules, des minuscules, "
            "des chiffres et des caractères spéciaux, ou au moins 14 caractères avec des majuscules, "
            "des minuscules et des chiffres.",
            code="password_too_weak",
        )

    def get_help_text(self):
        return (
            "Au moins 12 caractères mêlant majuscules, minuscules, chiffres et caractères spéciaux "
            "(ou au moins 14 caractères mêlant majuscules, minuscules et chiffres)."
        )


# A production secret key: Django's generated keys (50 characters among 50) carry about 4.3 bits of
# Shannon entropy per character, hex keys about 3.9; fifty « a » carry none. These floors refuse
# keys typed by hand or repeated patterns and leave every generated key through (tests draw them).
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_DISTINCT = 12
SECRET_KEY_MIN_ENTROPY_BITS = 190  # Shannon entropy per character × length
SECRET_KEY_MIN_COMPRESSED_RATIO = 0.6  # a pattern compresses well, a random draw hardly


def secret_key_weakness(key: str) -> str:
    """Why `key` is too weak for production (in French), or "" when it is not."""
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"elle a {len(key)} caractères, il en faut au moins {SECRET_KEY_MIN_LENGTH}"
    counts = Counter(key)
    if len(counts) < SECRET_KEY_MIN_DISTINCT:
        distinct = "1 caractère différent" if len(counts) == 1 else f"{len(counts)} caractères différents"
        return f"elle n'a que {distinct}, il en faut au moins {SECRET_KEY_MIN_DISTINCT}"
    entropy = -sum(n / len(key) * math.log2(n / len(key)) for n in counts.values()) * len(key)
    if entropy < SECRET_KEY_MIN_ENTROPY_BITS:
        return (
            f"elle répète trop ses caractères (entropie de {entropy:.0f} bits, "
            f"il en faut {SECRET_KEY_MIN_ENTROPY_BITS})"
        )
    if len(zlib.compress(key.encode(), 9)) < SECRET_KEY_MIN_COMPRESSED_RATIO * len(key.encode()):
        return "elle répète un motif"
    return ""


# Characters refused in names: C0 and C1 controls and DEL (Unicode category Cc: newlines, tabs, NUL,
# escape…), the line and paragraph separators, and the bidirectional overrides and isolates that
# display a name other than the one stored (« Trojan Source »).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _is_forbidden_in_name(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Zl", "Zp") or char in _BIDI_CONTROLS


@deconstructible
class NoControlCharactersValidator:
    """A name is one line of visible text: no control character (newline, tab, NUL…). The message
    names the field (`label`) and the reason."""

    code = "control_characters"

    def __init__(self, label: str):
        self.label = label

    def __call__(self, value) -> None:
        if any(_is_forbidden_in_name(char) for char in str(value or "")):
            raise ValidationError(
                "%(label)s : les caractères de contrôle (retour à la ligne, tabulation, caractère nul…) "
                "ne sont pas permis ; écrivez le nom sur une seule ligne.",
                code=self.code,
                params={"label": self.label},
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, NoControlCharactersValidator) and other.label == self.label

    def __hash__(self) -> int:
        return hash((NoControlCharactersValidator, self.label))
