from django.utils.functional import SimpleLazyObject

from maillage.ui import themes
from maillage.ui.models import SiteIdentity

HIGH_CONTRAST_COOKIE = "maillage_contraste"


def high_contrast(request) -> bool:
    return request.COOKIES.get(HIGH_CONTRAST_COOKIE) == "eleve"


def ui(request):
    """What the theme's shell needs: the theme, the deploying organisation's identity (read when a
    template first uses it: one query) and the reader's display choices."""
    return {
        "ui_theme": themes.current_theme(),
        "ui_state_service": themes.state_service(),
        "ui_identity": SimpleLazyObject(SiteIdentity.load),
        "ui_high_contrast": high_contrast(request),
    }
