"""The casework panels of the dashboard (core/views/pages.py includes them)."""

from maillage.casework.selectors import callbacks
from maillage.core.audit import record_search, shown_count
from maillage.people.models import Person


def reception_panel(request):
    """The reception's panel (today's requests, my open call-backs), or None for a role that does
    not log requests. Names of persons on it are an opening of their data: one line in the trail,
    how many files shown."""
    panel = callbacks.reception_panel(actor=request.user, organisation=request.organisation)
    if panel is not None:
        shown = len({item.person_id for item in panel.today + panel.callbacks if item.person_id})
        if shown:
            record_search(request, Person, what=f"Tableau de bord de l'accueil : {shown_count(shown)}", access_path="")
    return panel
