"""From models to the API's schemas (Open Referral HSDS 3.0 names)."""

from maillage.core.models import Organisation
from maillage.directory import api_schemas as s
from maillage.directory.enums import FeeKind, Weekday
from maillage.directory.models import TaxonomyTerm

BYDAY = {Weekday.MONDAY: "MO", 1: "TU", 2: "WE", 3: "TH", 4: "FR", 5: "SA", 6: "SU"}


def or_none(value):
    return value if value not in ("", None) else None


def organization_summary(organisation: Organisation) -> s.OrganizationSummary:
    return s.OrganizationSummary(
        id=str(organisation.pk),
        name=organisation.name,
        description=organisation.get_kind_display(),
        email=or_none(organisation.email),
        website=or_none(organisation.website),
    )


def fees(service) -> str:
    label = FeeKind(service.fee_kind).label
    return f"{label} — {service.fee_description}" if service.fee_description else label


def service_summary(service) -> s.ServiceSummary:
    return s.ServiceSummary(
        id=str(service.pk),
        organization_id=str(service.organisation_id),
        name=service.name,
        alternate_name=or_none(service.alternate_name),
        description=service.description,
        url=or_none(service.url),
        email=or_none(service.email),
        application_process=or_none(
            " ; ".join(filter(None, [", ".join(service.access_modes()), service.application_process]))
        ),
        fees_description=fees(service),
        eligibility_description=or_none(service.eligibility_description),
        minimum_age=service.age_min,
        maximum_age=service.age_max,
        assured_date=service.last_verified_at.date().isoformat() if service.last_verified_at else None,
    )


def taxonomy_term(term: TaxonomyTerm) -> s.TaxonomyTerm:
    return s.TaxonomyTerm(
        id=str(term.pk),
        code=term.code,
        name=term.name,
        description=term.description,
        parent_id=str(term.parent_id) if term.parent_id else None,
        taxonomy=term.taxonomy.name,
        taxonomy_id=term.taxonomy.slug,
    )


def schedules(service) -> list[s.Schedule]:
    rows = [
        s.Schedule(
            id=f"{service.pk}-r-{r.pk}",
            freq="WEEKLY",
            wkst="MO",
            byday=BYDAY[r.weekday],
            opens_at=f"{r.opens_at:%H:%M}",
            closes_at=f"{r.closes_at:%H:%M}",
            description=str(r),
        )
        for r in service.regular_schedules.all()
    ]
    for e in service.schedule_exceptions.all():
        rows.append(
            s.Schedule(
                id=f"{service.pk}-e-{e.pk}",
                valid_from=e.start_date.isoformat(),
                valid_to=e.end_date.isoformat(),
                opens_at=f"{e.opens_at:%H:%M}" if e.opens_at else None,
                closes_at=f"{e.closes_at:%H:%M}" if e.closes_at else None,
                description=e.description or str(e),
                notes="fermé" if e.is_closed else None,
            )
        )
    return rows


def service_full(service) -> s.Service:
    accessibility = [
        s.Accessibility(id=str(a.pk), description=a.get_feature_display(), details=or_none(a.details))
        for a in service.accessibility.all()
    ]
    links = []
    for sal in service.service_at_locations.all():
        place = sal.location
        address = s.Address(
            id=str(place.pk),
            address_1=place.address,
            address_2=or_none(place.address_complement),
            city=place.commune.name,
            region=place.commune.code,
            state_province=place.commune.departement.name,
            postal_code=or_none(place.postal_code),
        )
        location = s.Location(
            id=str(place.pk),
            name=or_none(place.name),
            transportation=or_none(place.transportation),
            latitude=float(place.latitude) if place.latitude is not None else None,
            longitude=float(place.longitude) if place.longitude is not None else None,
            addresses=[address],
            accessibility=accessibility,
        )
        links.append(
            s.ServiceAtLocation(
                id=str(sal.pk),
                service_id=str(service.pk),
                location_id=str(place.pk),
                description=or_none(sal.description),
                location=location,
            )
        )
    return s.Service(
        **service_summary(service).model_dump(),
        organization=organization_summary(service.organisation),
        phones=[
            s.Phone(id=str(p.pk), number=p.number, description=or_none(p.description)) for p in service.phones.all()
        ],
        schedules=schedules(service),
        service_areas=[
            s.ServiceArea(
                id=f"{service.pk}-{c.code}",
                name=c.name,
                extent=c.code,
                uri=f"https://geo.api.gouv.fr/communes/{c.code}",
            )
            for c in service.communes_served.all()
        ],
        service_at_locations=links,
        languages=[s.Language(id=str(lang.pk), name=lang.name, code=lang.code) for lang in service.languages.all()],
        attributes=[
            s.Attribute(
                id=f"{service.pk}-{t.pk}",
                link_id=str(service.pk),
                taxonomy_term_id=str(t.pk),
                taxonomy_term=taxonomy_term(t),
            )
            for t in service.terms.all()
        ],
        accessibility=accessibility,
    )
