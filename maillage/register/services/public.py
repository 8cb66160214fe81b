"""The register's public ways in (issue 13, point 2): a citizen registers themself or a relative
online, a third party (a neighbour, a pharmacist, a partner) reports someone who worries them.

No actor: the view authorises (the organisation keeps a register — `selectors.entries.keeps_register`
—, the form's own checks, the rate limit). An anonymous form never changes an existing file.

**Finding the person** among the organisation's files (`people.search.likely_duplicates`, the rule
the reception's « Nouvelle personne » uses):
- one file with the same names (last name, or birth name, and first name, accents and case aside)
  and the same birth date: *the same person*, the file is reused as it is; what the form gave
  (address, phone, contact to warn) is kept on the entry (`submitted_details`) for the manager;
- files that only resemble (a close name, a missing birth date): a *new* file is created and the entry
  waits, flagged « doublon possible », even for the person's own request: the manager checks, merges
  the files if needed, then records the consent the form carried;
- nothing alike: a new file.

A person already on the register (a current entry) gets no second entry; the form answers the same,
so that nobody learns from it who is on the register.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from maillage.core.exceptions import ApplicationError
from maillage.core.models import Organisation
from maillage.people import normalise
from maillage.people import services as people_services
from maillage.people.enums import ConsentChannel, RelationKind
from maillage.people.models import Person, Relation
from maillage.people.search import likely_duplicates
from maillage.register import texts
from maillage.register.enums import EntrySource
from maillage.register.models import RegisterEntry
from maillage.register.selectors.entries import keeps_register
from maillage.register.services.entries import entry_register


def find_person(organisation: Organisation, *, last_name: str, first_names: str, birth_date, birth_name: str = ""):
    """(the person's file to reuse or None, whether other files resemble). See the module's docstring."""
    candidates = likely_duplicates(
        Person.objects.filter(organisation=organisation),
        last_name=last_name,
        first_names=first_names,
        birth_name=birth_name,
        birth_date=birth_date,
    )
    first = normalise.text(first_names).split()[:1]
    family = {normalise.text(last_name), normalise.text(birth_name)} - {""}
    exact = [
        p
        for p in candidates
        if birth_date
        and p.birth_date == birth_date
        and {normalise.text(p.last_name), normalise.text(p.birth_name)} & family
        and normalise.text(p.first_names).split()[:1] == first
    ]
    if len(exact) == 1:
        return exact[0], False
    return None, bool(candidates)


def _details(address: dict | None, phone: str, email: str, contact: dict | None) -> str:
    lines = []
    if address and address.get("commune"):
        lines.append(
            "Adresse : "
            + " ".join(
                x for x in (address.get("line", ""), address.get("postal_code", ""), address["commune"].name) if x
            )
        )
    if phone:
        lines.append(f"Téléphone : {normalise.display_phone(phone)}")
    if email:
        lines.append(f"Adresse électronique : {email}")
    if contact and contact.get("last_name"):
        lines.append(
            f"Personne à prévenir : {contact.get('first_name', '')} {contact['last_name']} "
            f"{normalise.display_phone(contact['phone']) if contact.get('phone') else ''}".strip()
        )
    return "\n".join(lines)


@transaction.atomic
def entry_request_public(
    *,
    organisation: Organisation,
    person_data: dict,
    address: dict | None,
    phone: str = "",
    email: str = "",
    contact: dict | None = None,
    data: dict,
    received_via: str = "online",
    actor=None,
    signed_on=None,
) -> RegisterEntry | None:
    """A request from a public form: the person's own (`data["source"] == "self"`: consent given
    online with the text shown, the entry is active unless it resembles another file) or a relative's
    or a third party's (pending until the person agrees). Returns the entry, or None when the person
    was already on the register (nothing written).

    `actor`: the register manager typing a paper form (`received_via="paper"`); its consent, for the
    person's own request, is « papier signé », dated `signed_on`."""
    if actor is None and not keeps_register(organisation):
        raise ApplicationError("Cette structure ne tient pas de registre des personnes vulnérables.")
    source = data["source"]
    if source not in EntrySource.values:
        raise ValidationError({"source": "Dites qui demande l'inscription."})
    person, resembles = find_person(
        organisation,
        last_name=person_data.get("last_name", ""),
        first_names=person_data.get("first_names", ""),
        birth_name=person_data.get("birth_name", ""),
        birth_date=person_data.get("birth_date"),
    )
    extra = {"received_via": received_via}
    if person is not None:
        if RegisterEntry.objects.current().filter(organisation=organisation, person=person).exists():
            return None
        extra["submitted_details"] = _details(address, phone, email, contact)
    else:
        person = people_services.person_create_from_public_form(
            organisation=organisation, data=person_data, address=address, phone=phone, email=email
        )
        if contact and contact.get("last_name"):
            relation = Relation(
                person=person,
                kind=contact.get("kind") or RelationKind.OTHER,
                first_name=contact.get("first_name", ""),
                last_name=contact["last_name"],
                relationship=contact.get("relationship", ""),
                phone=contact.get("phone", ""),
                is_emergency_contact=True,
            )
            relation.full_clean()
            relation.save()
        extra["possible_duplicate"] = resembles
    own = not EntrySource.needs_consent(source)
    channel = ConsentChannel.SIGNED_PAPER if received_via == "paper" else ConsentChannel.ONLINE
    return entry_register(
        actor=actor,
        organisation=organisation,
        person=person,
        data={**data, **extra},
        consent_channel=channel if own else "",
        consent_wording=texts.consent_text(organisation) if own else "",
        hold_for_check=bool(extra.get("possible_duplicate")),
        consent_given_on=signed_on,
    )
