"""Retention rules of persons' data (core.retention). Durations are settings, with defaults."""

import datetime

from django.conf import settings

from maillage.core.retention import RetentionRule, register


def _years(name: str, default: int) -> datetime.timedelta:
    return datetime.timedelta(days=365 * getattr(settings, name, default))


def _inactive_persons(now):
    from maillage.people.models import Person

    # A person on the register stays while they are on it (CASF R121-11: until their death or their
    # request to be removed), however quiet their file: the register's own rule removes the entry first.
    return Person.objects.filter(last_activity_at__lt=now - _years("MAILLAGE_RETENTION_PERSON_YEARS", 2)).exclude(
        register_entries__status__in=["pending_consent", "active", "suspended"]
    )


def _old_merge_tombstones(now):
    from maillage.people.models import Person
    from maillage.people.services import merge_undo_delay

    return Person.all_objects.filter(merged_at__lt=now - merge_undo_delay())


def _old_withdrawn_consents(now):
    from maillage.people.models import Consent

    return Consent.objects.filter(withdrawn_at__lt=now - _years("MAILLAGE_RETENTION_CONSENT_PROOF_YEARS", 5))


register(
    RetentionRule(
        key="people.person.inactive",
        model="people.Person",
        description=(
            "Fiche (et tout ce qui s'y rattache) sans activité depuis 2 ans : référentiel CNIL sur l'accueil et "
            "l'accompagnement social et médico-social — le temps de l'accompagnement, puis suppression ; "
            "durée réglable (MAILLAGE_RETENTION_PERSON_YEARS)."
        ),
        expired=_inactive_persons,
    )
)
register(
    RetentionRule(
        key="people.consent.withdrawn",
        model="people.Consent",
        description=(
            "Consentement retiré depuis 5 ans : gardé jusque-là comme preuve (RGPD art. 7.1, la structure doit "
            "pouvoir démontrer le consentement) ; durée réglable (MAILLAGE_RETENTION_CONSENT_PROOF_YEARS)."
        ),
        expired=_old_withdrawn_consents,
    )
)
register(
    RetentionRule(
        key="people.person.merged",
        model="people.Person",
        description=(
            "Fiche fusionnée dans une autre : tout son contenu a rejoint la fiche gardée ; la trace de la fusion "
            "n'est gardée que le temps de pouvoir l'annuler (7 jours, MAILLAGE_MERGE_UNDO_DAYS), puis effacée "
            "(minimisation, RGPD art. 5.1.c). Le journal d'audit garde les déplacements."
        ),
        expired=_old_merge_tombstones,
    )
)
