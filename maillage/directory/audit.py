"""Every directory model holding contact data goes under audit (architecture.md, rule 2).

A service's published details, places and phone numbers are public data: the trail keeps their
values. A contact is a named professional: like the persons' data, their values stay out of the
trail (who changed which field of which contact is kept; decisions.md, item 15)."""

from maillage.core.audit import register
from maillage.directory.models import Contact, Location, Phone, Service

register(Service, exclude_fields=["search_text", "name_text", "updated_at"], personal=False)
register(Location, personal=False)
register(Phone, personal=False)
register(Contact)
