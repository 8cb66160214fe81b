"""Colour contrast (WCAG 2.1, success criteria 1.4.3 and 1.4.11): the relative luminance of an sRGB
colour and the contrast ratio of two colours, as the W3C defines them
(https://www.w3.org/TR/WCAG21/#dfn-relative-luminance, #dfn-contrast-ratio)."""

import re

from django.core.exceptions import ValidationError

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
WHITE = "#ffffff"
# Text on the organisation's colour (header, buttons) and links in its colour on white: 4.5:1 (AA).
MINIMUM_CONTRAST = 4.5


def relative_luminance(colour: str) -> float:
    red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))

    def linear(channel):
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def darker(colour: str, factor: float = 0.75) -> str:
    """The same hue, darker (hover and active states)."""
    channels = (round(int(colour[i : i + 2], 16) * factor) for i in (1, 3, 5))
    return "#" + "".join(f"{channel:02x}" for channel in channels)


def validate_primary_colour(value: str) -> None:
    """An « #rrggbb » colour on which white text reads, and which reads as text on white: at least
    4.5:1 against white (WCAG 2.1 AA, 1.4.3)."""
    if not HEX_COLOUR.match(value or ""):
        raise ValidationError(
            "Saisissez une couleur au format hexadécimal, par exemple #1d4f8c.", code="invalid_colour"
        )
    ratio = contrast_ratio(value, WHITE)
    if ratio < MINIMUM_CONTRAST:
        raise ValidationError(
            f"Cette couleur n'est pas assez contrastée avec le blanc ({ratio:.2f}:1, il faut au moins 4,5:1) : "
            "le texte blanc posé dessus et les liens de cette couleur seraient difficiles à lire. "
            "Choisissez une teinte plus foncée.",
            code="low_contrast",
        )
