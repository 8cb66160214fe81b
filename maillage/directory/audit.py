"""Every directory model holding contact data goes under audit (architecture.md, rule 2)."""

from maillage.core.audit import register
from maillage.directory.models import Contact, Location, Phone, Service

register(Service, exclude_fields=["search_text", "updated_at"])
register(Location)
register(Phone)
register(Contact)
