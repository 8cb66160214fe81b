"""Normalisation of names and phone numbers, for storage, search and duplicate detection."""

import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError

_SEPARATORS = re.compile(r"[\s\-'’.,_/]+")


def text(value: str) -> str:
    """Lower case, no accents, hyphens and apostrophes as spaces: "Lefèvre-D'Août" → "lefevre d aout"."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SEPARATORS.sub(" ", stripped.lower()).strip()


def names(*parts: str) -> str:
    """The searchable form of a person's names, each distinct word once, in order."""
    words = []
    for part in parts:
        for word in text(part).split():
            if word not in words:
                words.append(word)
    return " ".join(words)


def phone(value: str, *, field: str = "number") -> str:
    """A French or international phone number in E.164 form (+33612345678); a French message
    naming the field otherwise."""
    raw = (value or "").strip()
    try:
        parsed = phonenumbers.parse(raw, "FR")
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise ValidationError(
            {field: f"« {raw} » n'est pas un numéro de téléphone valide (exemple : 06 12 34 56 78)."}
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


# phonenumbers' number types, in Maillage's words (PersonPhone.kind).
_KIND_BY_TYPE = {
    phonenumbers.PhoneNumberType.MOBILE: "mobile",
    phonenumbers.PhoneNumberType.FIXED_LINE: "landline",
    phonenumbers.PhoneNumberType.VOIP: "landline",  # a French 09 « box » line
}


def phone_kind(value: str) -> str:
    """« mobile », « landline » or « other » (a number phonenumbers cannot tell, a service number),
    from the number itself: +33380… is a landline, +33612… a mobile."""
    try:
        parsed = phonenumbers.parse(value or "", "FR")
    except phonenumbers.NumberParseException:
        return "other"
    return _KIND_BY_TYPE.get(phonenumbers.number_type(parsed), "other")


def phone_digits(value: str) -> str:
    """The national digits people type ("0612345678"), to find a person by phone."""
    digits = re.sub(r"\D", "", value or "")
    if digits.startswith("33") and len(digits) == 11:
        return "0" + digits[2:]
    return digits


def display_phone(value: str) -> str:
    """E.164 to the French way of writing: +33612345678 → 06 12 34 56 78."""
    try:
        parsed = phonenumbers.parse(value, "FR")
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
