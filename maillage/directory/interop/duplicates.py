"""Probable duplicates of an import: services of the file, new to the directory under their source,
that look like services it already holds (issue 11, point 16). Importing the same services again
under another source name must not create them twice.

A new service of the file matches a service of the directory (its own organisation's when importing
from the staff page) that came from another source or was typed by hand when:
- it bears the same identifier (`source_id`) under another source name;
- its organisation has the same SIRET and the service the same name (normalised);
- it has the same name, and one of its places the same address in the same commune (normalised).

The staff page shows them before anything is written (ImportJob « À confirmer »): for each, the user
skips it, links it to the service found (the file then updates that service) or creates it anyway.
The command skips them with a warning unless asked to create them.
"""

import re
import unicodedata
from dataclasses import dataclass

from maillage.directory.models import Service, ServiceAtLocation

SKIP, NEW, LINK = "skip", "new", "link"


def fold(text: str) -> str:
    """Lower case, no accents, words separated by single spaces: « Épicerie  sociale — Blosne » →
    « epicerie sociale blosne »."""
    folded = unicodedata.normalize("NFKD", str(text or "").lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c)).replace("œ", "oe")
    return " ".join(re.split(r"[^a-z0-9]+", folded)).strip()


@dataclass
class Candidate:
    pk: int
    name: str
    organisation: str
    reason: str

    def as_json(self) -> dict:
        return {"pk": self.pk, "name": self.name, "organisation": self.organisation, "reason": self.reason}


def find(plan, *, organisation=None) -> list[dict]:
    """The file's new services that look like services already held, each with its candidates:
    [{"key": source_id, "name", "position", "candidates": [{"pk", "name", "organisation", "reason"}]}]."""
    new = [planned for planned in plan.services if planned.pk is None and planned.values]
    if not new:
        return []
    sources = {planned.record.source for planned in new}
    held = Service.objects.exclude(source__in=sources)
    if organisation is not None:
        held = held.filter(organisation=organisation)
    rows = list(held.values("pk", "name", "source", "source_id", "organisation__name", "organisation__siret"))
    if not rows:
        return []
    by_source_id, by_siret_name, by_name = {}, {}, {}
    for row in rows:
        if row["source_id"]:
            by_source_id.setdefault(row["source_id"], []).append(row)
        name = fold(row["name"])
        if row["organisation__siret"]:
            by_siret_name.setdefault((row["organisation__siret"], name), []).append(row)
        by_name.setdefault(name, []).append(row)
    places = {}
    for link in ServiceAtLocation.objects.filter(
        service_id__in=[r["pk"] for rows_ in by_name.values() for r in rows_]
    ).values("service_id", "location__address", "location__commune_id"):
        places.setdefault(link["service_id"], set()).add(
            (fold(link["location__address"]), link["location__commune_id"])
        )
    found = []
    for planned in new:
        matches = []  # (row, reason), the strongest reason first
        record = planned.record
        for row in by_source_id.get(record.source_id, []):
            matches.append(
                (row, f"même identifiant dans le fichier que le service importé de la source « {row['source']} »")
            )
        name = fold(planned.values.get("name", ""))
        addresses = {
            (
                fold(plan.locations[(source, loc_id)].values.get("address", "")),
                plan.locations[(source, loc_id)].commune.pk,
            )
            for source, loc_id, _ in planned.location_keys
            if (source, loc_id) in plan.locations
        }
        for row in by_name.get(name, []):
            if addresses & places.get(row["pk"], set()):
                matches.append((row, "même nom, même adresse dans la même commune"))
        owner = organisation or plan.organisations.get(planned.organisation_key)
        siret = getattr(owner, "siret", "") or ""
        if siret:
            for row in by_siret_name.get((siret, name), []):
                matches.append((row, "même nom, structure de même SIRET"))
        candidates: dict[int, Candidate] = {}
        for row, reason in matches:
            candidates.setdefault(row["pk"], Candidate(row["pk"], row["name"], row["organisation__name"], reason))
        if candidates:
            found.append(
                {
                    "key": record.source_id,
                    "name": planned.values.get("name", ""),
                    "position": record.where.position,  # the file's own name is the upload's
                    "candidates": [c.as_json() for c in candidates.values()],
                }
            )
    return found


def apply(plan, duplicates: list[dict], decisions: dict, report) -> None:
    """Apply the user's decision on each probable duplicate: skip it (left out of the plan), link it
    (the file updates the service found) or create it. A duplicate without decision is skipped."""
    from maillage.directory.interop.records import SERVICE_DATA_FIELDS

    by_key = {d["key"]: d for d in duplicates}
    links = {}
    kept = []
    for planned in plan.services:
        duplicate = by_key.get(planned.record.source_id) if planned.pk is None else None
        if duplicate is None:
            kept.append(planned)
            continue
        decision = decisions.get(planned.record.source_id, SKIP)
        allowed = {c["pk"] for c in duplicate["candidates"]}
        if decision.startswith(LINK + ":") and decision[len(LINK) + 1 :].isdigit():
            pk = int(decision[len(LINK) + 1 :])
            if pk in allowed and pk not in links.values():
                links[planned.record.source_id] = pk
                planned.pk = pk
                kept.append(planned)
                continue
        if decision == NEW:
            kept.append(planned)
            continue
        where = planned.record.where
        report.warn(
            where.file,
            where.position,
            "",
            f"Service « {duplicate['name']} » déjà présent dans l'annuaire : pas importé.",
        )
    plan.services = kept
    if links:
        for row in Service.objects.filter(pk__in=links.values()).values(
            "pk", "source", "source_id", "organisation_id", "search_text", *SERVICE_DATA_FIELDS
        ):
            plan.existing_services[row["pk"]] = row
    used = {(s, loc) for planned in kept for s, loc, _ in planned.location_keys}
    plan.locations = {key: value for key, value in plan.locations.items() if key in used or value.existing}
