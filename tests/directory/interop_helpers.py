"""Helpers of the import/export tests: the communes the fixtures use, and a canonical dump of the
directory (no primary keys, no timestamps) to compare two states."""

from pathlib import Path

from django.utils import timezone

from maillage.directory.models import Location, Service
from tests.core.factories import CommuneFactory

DATA = Path(__file__).parent / "data"


def communes():
    return [CommuneFactory(code="21231", name="Dijon"), CommuneFactory(code="21054", name="Beaune")]


def _rows(qs, *fields):
    return sorted(tuple(str(v) for v in row) for row in qs.values_list(*fields))


def canonical_dump(source: str | None = None) -> dict:
    """Everything a person sees of the directory (of one source), by natural keys."""
    services = {}
    qs = Service.objects.select_related("organisation").order_by("source", "source_id", "name")
    for s in qs.filter(source=source) if source is not None else qs:
        key = s.source_id or s.name
        services[key] = {
            "organisation": (s.organisation.name, s.organisation.siret, s.organisation.email),
            "fields": {
                f: str(getattr(s, f))
                for f in [
                    "name",
                    "alternate_name",
                    "description",
                    "url",
                    "email",
                    "status",
                    "offer_kind",
                    "age_min",
                    "age_max",
                    "eligibility_description",
                    "fee_kind",
                    "fee_description",
                    "walk_in",
                    "by_appointment",
                    "on_referral_only",
                    "by_phone",
                    "application_process",
                    "search_text",
                ]
            },
            "verified": timezone.localtime(s.last_verified_at).date() if s.last_verified_at else None,
            "phones": _rows(s.phones, "number", "description"),
            "contacts": _rows(s.contacts, "name", "title", "email", "phone"),
            "schedules": _rows(s.regular_schedules, "weekday", "opens_at", "closes_at", "location__address"),
            "exceptions": _rows(
                s.schedule_exceptions, "start_date", "end_date", "is_closed", "opens_at", "closes_at", "description"
            ),
            "languages": _rows(s.languages, "code", "name"),
            "accessibility": _rows(s.accessibility, "feature", "details"),
            "capacities": _rows(s.capacities, "unit", "maximum", "available", "description"),
            "terms": _rows(s.terms, "taxonomy__slug", "code"),
            "communes": _rows(s.communes_served, "code"),
            "locations": _rows(
                s.service_at_locations,
                "description",
                "location__name",
                "location__address",
                "location__address_complement",
                "location__postal_code",
                "location__commune__code",
                "location__latitude",
                "location__longitude",
                "location__organisation__name",
            ),
        }
    locations = Location.objects.filter(service_at_locations__service__in=qs.filter(source=source) if source else qs)
    return {"services": services, "locations": locations.distinct().count(), "count": len(services)}
