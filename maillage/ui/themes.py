"""The design system a deployment wears (docs/decisions.md, item 24).

- `neutral` (default): GOV.UK Frontend restyled as the deploying organisation's own (its name, logo
  and colour from `ui.SiteIdentity`, the Atkinson Hyperlegible font), for communes, CCAS, CIAS,
  CLIC, associations and any operator;
- `dsfr`: the State's design system (django-dsfr), **only** for a State service: its terms forbid
  it to anyone else (« Utilisation interdite en dehors des sites Internet de l'État »), so the
  deployment names its ministry or service in MAILLAGE_STATE_SERVICE, shown in the header's
  « République française » block; `dsfr` without it is refused by a system check.

Read at each call, never cached, so that tests may switch themes with the `settings` fixture.
"""

from django.conf import settings

NEUTRAL = "neutral"
DSFR = "dsfr"
THEMES = (NEUTRAL, DSFR)


def current_theme() -> str:
    """The theme of this deployment; an unknown value (refused by the checks) reads as neutral, so that
    no page ever wears the State's identity by mistake."""
    theme = getattr(settings, "MAILLAGE_THEME", NEUTRAL)
    if theme == DSFR and state_service():
        return DSFR
    return NEUTRAL


def state_service() -> str:
    """The ministry or service named for the DSFR header block (« Ministère des Solidarités »…)."""
    return (getattr(settings, "MAILLAGE_STATE_SERVICE", "") or "").strip()


def is_dsfr() -> bool:
    return current_theme() == DSFR


def component_template(name: str) -> str:
    """The template of component `name` in the current theme: `ui/<theme>/<name>.html`."""
    return f"ui/{current_theme()}/{name}.html"
