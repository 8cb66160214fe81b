"""The professionals around a person (care team). Adding a Maillage user of another organisation
opens the person's file to them: it needs the person's consent to share with that organisation."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from maillage.casework.models import CareTeamMember
from maillage.core import access, emails
from maillage.core.exceptions import ApplicationError
from maillage.core.models import Organisation, User
from maillage.people.enums import ConsentScope
from maillage.people.models import Person
from maillage.people.services import has_consent


def _check(actor: User, organisation: Organisation, person: Person) -> None:
    if not access.can_change_person(actor, organisation, person):
        raise ApplicationError("Vous n'avez pas le droit de modifier l'équipe autour de cette personne.")


@transaction.atomic
def care_team_add(
    *,
    actor: User,
    organisation: Organisation,
    person: Person,
    role: str,
    email: str = "",
    name: str = "",
    phone: str = "",
    is_referent: bool = False,
) -> CareTeamMember:
    """Add a professional: a Maillage account (found by its e-mail address), who may then open the
    file, or an outside professional known by name and role only."""
    _check(actor, organisation, person)
    member = CareTeamMember(person=person, role=role, phone=phone, is_referent=is_referent, added_by=actor)
    if email:
        user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
        memberships = list(access.active_memberships(user)) if user else []
        if not memberships:
            raise ValidationError({"email": f"Aucun compte Maillage actif ne correspond à « {email} »."})
        # Only a role that accompanies persons opens a file through the care team (grants).
        following = [m for m in memberships if m.role in access.CARE_TEAM_ROLES]
        if not following:
            raise ValidationError(
                {
                    "email": f"{user.get_full_name()} n'a, dans sa structure, aucun rôle qui accompagne des "
                    "personnes (bénévole, partenaire, administration…) : ajoutez-le ou la comme professionnel·le "
                    "sans compte, ou orientez la personne vers sa structure."
                }
            )
        own = next((m for m in following if m.organisation_id == organisation.pk), None)
        consented = next(
            (m for m in following if has_consent(person, ConsentScope.SHARING, m.organisation)),
            None,
        )
        chosen = own or consented or following[0]
        if own is None and consented is None:
            raise ValidationError(
                {
                    "email": f"{user.get_full_name()} travaille pour « {chosen.organisation} » : recueillez d'abord "
                    "le consentement de la personne au partage avec cette structure (rubrique Consentements)."
                }
            )
        if person.care_team.active().filter(user=user).exists():
            raise ValidationError({"email": f"{user.get_full_name()} fait déjà partie de l'équipe."})
        member.user, member.organisation = user, chosen.organisation
    else:
        member.name = name.strip()
    member.full_clean()
    if is_referent:
        person.care_team.active().filter(is_referent=True).update(is_referent=False)
    member.save()
    if member.user_id and member.user_id != actor.pk:
        _tell_added_member(member, actor=actor)
    return member


def _tell_added_member(member: CareTeamMember, *, actor: User) -> None:
    """E-mail the professional that they are in a person's care team (issue 11): which organisation
    follows the person and who added them, so that they know what it is and whom to ask, and the
    dashboard's address, which needs both factors. Nothing about the person — no name, no file
    number, not the role they were given (it may tell the need) — in the subject or the body: an
    e-mail leaves Maillage's protections (a shared mailbox, a forwarded message). Queued in the
    caller's transaction: no place, no e-mail; no e-mail queued, no place (emails.send raises)."""
    from maillage.casework.tasks import absolute_url

    body = render_to_string(
        "casework/emails/care_team_added.txt",
        {
            "user": member.user,
            "person_organisation": member.person.organisation.name,
            "member_organisation": member.organisation.name,
            "added_by": actor.get_full_name(),
            "dashboard_url": absolute_url(reverse("core:dashboard")),
        },
    )
    emails.send(subject="[Maillage] Vous avez été ajouté·e à une équipe de suivi", body=body, to=[member.user.email])


@transaction.atomic
def care_team_remove(*, actor: User, organisation: Organisation, member: CareTeamMember) -> CareTeamMember:
    """Take someone out of the team: from now on an outside member no longer opens the file."""
    _check(actor, organisation, member.person)
    if member.removed_at:
        raise ApplicationError("Cette personne ne fait déjà plus partie de l'équipe.")
    member.removed_at = timezone.now()
    member.is_referent = False
    member.save()
    return member
