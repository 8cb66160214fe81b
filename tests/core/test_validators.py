import pytest
from django.core.exceptions import ValidationError

from maillage.core.validators import CnilPasswordValidator, luhn_is_valid, validate_siret

# INSEE: the SIRET's last digit is a Luhn key over the 14 digits; La Poste's establishments
# (SIREN 356 000 000) use "sum of the digits is a multiple of 5" instead.
SIRETS = [
    ("73282932000074", True, "Luhn juste"),
    ("732 829 320 00074", True, "espaces tolérés"),
    ("73282932000075", False, "clé fausse"),
    ("35600000049837", True, "La Poste : somme multiple de 5"),
    ("35600000049838", False, "La Poste : somme non multiple de 5"),
    ("35600000000048", True, "La Poste siège : Luhn"),
    ("7328293200007", False, "13 chiffres"),
    ("7328293200007A", False, "lettre"),
    ("", False, "vide"),
]


@pytest.mark.parametrize(("value", "valid", "why"), SIRETS, ids=[s[2] for s in SIRETS])
def test_validate_siret(value, valid, why):
    if valid:
        validate_siret(value)
    else:
        with pytest.raises(ValidationError) as exc:
            validate_siret(value)
        assert "SIRET" in exc.value.messages[0]


def test_luhn_reference_number():
    assert luhn_is_valid("732829320")  # SIREN of the INSEE example
    assert not luhn_is_valid("732829321")


# CNIL deliberation 2022-100: 12+ characters with four classes, or 14+ with upper, lower, digits.
PASSWORDS = [
    ("Abcdefgh12!x", True, "12 caractères, 4 classes"),
    ("Abcdefgh12xx", False, "12 caractères sans spécial"),
    ("Abcdefghij12xy", True, "14 caractères, 3 classes"),
    ("abcdefghij12xy", False, "14 caractères sans majuscule"),
    ("Ab1!", False, "trop court"),
    ("ABCDEFGHIJKLMNOP", False, "majuscules seules"),
]


@pytest.mark.parametrize(("password", "valid", "why"), PASSWORDS, ids=[p[2] for p in PASSWORDS])
def test_cnil_password_rule(password, valid, why):
    validator = CnilPasswordValidator()
    if valid:
        validator.validate(password)
    else:
        with pytest.raises(ValidationError, match="au moins 12 caractères"):
            validator.validate(password)
