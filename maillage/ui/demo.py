"""The demo's identity: the demo CCAS's name and a placeholder logo (an SVG of the project), in the
neutral theme. Left alone when an identity exists already (seed_demo may run twice)."""

from pathlib import Path

from maillage.ui.logos import logo_content_type
from maillage.ui.models import SiteIdentity

DEMO_ORGANISATION_NAME = "CCAS de Rennes"
DEMO_LOGO = Path(__file__).resolve().parent / "static" / "ui" / "demo-logo.svg"


def seed_identity_demo(name: str = DEMO_ORGANISATION_NAME) -> SiteIdentity:
    identity = SiteIdentity.objects.filter(pk=SiteIdentity.SINGLETON_PK).first()
    if identity is not None:
        return identity
    logo = DEMO_LOGO.read_bytes()
    identity = SiteIdentity(name=name, logo=logo, logo_content_type=logo_content_type(logo))
    identity.full_clean()
    identity.save()
    return identity
