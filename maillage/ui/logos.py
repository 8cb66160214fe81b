"""Validation of an uploaded logo: PNG, JPEG, WebP or SVG, 200 KB at most; an SVG without scripts,
event handlers, external references or entities (it is served from the site's own address)."""

import io
import re

from django.core.exceptions import ValidationError

MAX_LOGO_BYTES = 200 * 1024
RASTER_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
SVG_TYPE = "image/svg+xml"
_SVG_FORBIDDEN = re.compile(
    rb"<\s*script|<\s*foreignObject|<!ENTITY|<!DOCTYPE|\son[a-z]+\s*=|javascript:|(?:xlink:)?href\s*=\s*[\"'](?!#)",
    re.IGNORECASE,
)


def logo_content_type(data: bytes) -> str:
    """The content type of a valid logo; ValidationError (French) otherwise."""
    if len(data) > MAX_LOGO_BYTES:
        raise ValidationError(f"Le logo pèse {len(data) // 1024} Ko : 200 Ko au plus.", code="logo_too_large")
    head = data[:512].lstrip()
    if head.startswith(b"<?xml") or head.startswith(b"<svg"):
        if b"<svg" not in data[:2048] or _SVG_FORBIDDEN.search(data):
            raise ValidationError(
                "Ce fichier SVG contient des scripts, des liens externes ou des entités : enregistrez-le "
                "en SVG simple, ou en PNG.",
                code="logo_unsafe_svg",
            )
        return SVG_TYPE
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            kind = image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(
            "Ce fichier n'est pas une image lisible : PNG, JPEG, WebP ou SVG.", code="logo_invalid"
        ) from error
    if kind not in RASTER_TYPES:
        raise ValidationError(f"Format d'image « {kind} » refusé : PNG, JPEG, WebP ou SVG.", code="logo_bad_type")
    return RASTER_TYPES[kind]
