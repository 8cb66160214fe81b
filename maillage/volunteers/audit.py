"""Callers' profiles and slots under audit. They are staff data, like accounts and memberships
(decisions.md, item 15): values kept, so that the trail says who signed which version of the charter
when, who was added to or taken off the callers' list, and which slots changed."""

from maillage.core.audit import register
from maillage.volunteers.models import AvailabilitySlot, CallerProfile

register(CallerProfile, personal=False, exclude_fields=["updated_at"])
register(AvailabilitySlot, personal=False)
