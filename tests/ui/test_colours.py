"""The organisation's colour: readable with white text and as links on white (WCAG 2.1 AA, 4.5:1)."""

import pytest
from django.core.exceptions import ValidationError

from maillage.ui.colours import contrast_ratio, validate_primary_colour
from maillage.ui.models import DEFAULT_PRIMARY_COLOUR


@pytest.mark.parametrize(
    ("first", "second", "ratio"),
    [
        ("#000000", "#ffffff", 21.0),  # the W3C's extremes
        ("#ffffff", "#ffffff", 1.0),
        ("#767676", "#ffffff", 4.54),  # the lightest grey that passes on white
        ("#000091", "#ffffff", 14.9),  # DSFR's blue-france
        ("#1d70b8", "#ffffff", 5.17),  # GOV.UK's blue
    ],
)
def test_contrast_ratio_as_the_w3c_defines_it(first, second, ratio):
    assert contrast_ratio(first, second) == pytest.approx(ratio, abs=0.05)
    assert contrast_ratio(second, first) == pytest.approx(ratio, abs=0.05)


@pytest.mark.parametrize(
    ("colour", "valid"),
    [
        (DEFAULT_PRIMARY_COLOUR, True),
        ("#000000", True),
        ("#767676", True),
        ("#777777", False),  # 4.48:1
        ("#00a3a6", False),  # a bright teal
        ("#ffdd00", False),  # yellow
        ("#ffffff", False),
        ("#B30000", True),  # capitals accepted
    ],
)
def test_primary_colour_needs_4_5_to_1_against_white(colour, valid):
    if valid:
        validate_primary_colour(colour)
    else:
        with pytest.raises(ValidationError, match=r"pas assez contrastée avec le blanc .* il faut au moins 4,5:1"):
            validate_primary_colour(colour)


@pytest.mark.parametrize("colour", ["1d4f8c", "#1d4f8", "#1d4f8cc", "bleu", "#gggggg", ""])
def test_primary_colour_format_is_said_in_french(colour):
    with pytest.raises(ValidationError, match="format hexadécimal"):
        validate_primary_colour(colour)
