"""Retention rules of the register and its crises (core.retention; architecture.md, rule 4).

**A crisis's data: three months after it ends.** Guide VISA, « Un outil de partage d'informations »:
the data shared for the crisis « sont détruites dans le délai de trois mois suivant la levée » of
the emergency (`Crisis.purge_due_on`). On the day, the daily task deletes, for each crisis ended
three months ago or more and not purged yet:
- its calls, with their tries (outcomes, callers' notes, needs found, fragility answers) and the
  alerts raised from them (and how they were handled);
- the rows of its transmissions to the prefect (who, when, how many: the files themselves were
  never kept);
- its campaigns' selection (communes, neighbourhoods, priorities chosen) and interview guide, and
  their callers.
The crisis and its campaigns' shells stay, with their counts frozen into `CallCampaign.selection`
(``{"purged_counts": {...}}``): the yearly activity report may say « 3 campaigns, 2,140 calls, 61
alerts », never about whom. `Crisis.purged_at` says when it was done. A crisis in progress is never
touched, whatever its age.

**A removed entry: at once.** CASF art. R121-11: the data of the register (R121-4) « sont conservées
jusqu'au décès de la personne en cause ou jusqu'à sa demande de radiation du registre nominatif ».
The removal service ends the entry at once (status « radiée », consent withdrawn, calls cancelled);
the next daily run deletes the entry itself, with the calls and alerts still attached to it. The
proof that the person asked, and when, is the withdrawn consent, kept five years by
`people.consent.withdrawn`; the person's file stays, under its own rule (it belongs to the
organisation's other work). `MAILLAGE_RETENTION_REGISTER_REMOVED_DAYS` (0 by default) may delay it
for an organisation that must answer a contested removal; R121-11 gives no delay.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils import timezone

from maillage.core.retention import RetentionRule, register

CRISIS_RULE = "register.crisis.ended"
REMOVED_ENTRY_RULE = "register.entry.removed"


def crises_to_purge(now):
    """Crises ended on or before `now` minus three months (by calendar day, in local time), not purged."""
    from maillage.register.models import Crisis
    from maillage.register.models.crises import CRISIS_DATA_KEPT_FOR

    today = timezone.localdate(now)
    last_end_day = today - CRISIS_DATA_KEPT_FOR
    start_of_next_day = timezone.make_aware(
        datetime.datetime.combine(last_end_day + datetime.timedelta(days=1), datetime.time.min)
    )
    return Crisis.objects.filter(ended_at__isnull=False, ended_at__lt=start_of_next_day, purged_at__isnull=True)


def crisis_purge(crisis, now=None) -> dict:
    """Destroy the crisis's shared data (see the module's docstring); returns the counts kept."""
    from django.db.models import Count, Q

    from maillage.register.enums import EscalationReason
    from maillage.register.models import Call, CallAttempt, Escalation

    now = now or timezone.now()
    for campaign in crisis.campaigns.all():
        calls = Call.objects.filter(campaign=campaign)
        counts = calls.aggregate(
            calls=Count("pk"),
            done=Count("pk", filter=Q(status="done")),
            cancelled=Count("pk", filter=Q(status="cancelled")),
        )
        escalations = Escalation.objects.filter(call__campaign=campaign)
        counts["alerts"] = escalations.count()
        counts["alerts_unreachable"] = escalations.filter(reason=EscalationReason.UNREACHABLE).count()
        counts["tries"] = CallAttempt.objects.filter(call__campaign=campaign).count()
        escalations.delete()
        CallAttempt.objects.filter(call__campaign=campaign).delete()
        calls.delete()
        campaign.selection = {"purged_counts": counts}
        for name in (
            "script_introduction",
            "script_listening",
            "script_questions",
            "script_offer",
            "script_advice",
            "script_numbers",
        ):
            setattr(campaign, name, "")
        campaign.save()
        campaign.callers.clear()
    crisis.transmissions.all().delete()
    crisis.purged_at = now
    crisis.save(update_fields=["purged_at"])
    return {"crisis": crisis.pk}


def _purge_crises(now) -> int:
    crises = list(crises_to_purge(now))
    for crisis in crises:
        crisis_purge(crisis, now)
    return len(crises)


register(
    RetentionRule(
        key=CRISIS_RULE,
        model="register.Crisis",
        description=(
            "Crise levée depuis trois mois : ses appels, leurs essais, les alertes et leurs suites, les "
            "transmissions au préfet, la sélection, le guide d'entretien et les appelants de ses campagnes "
            "sont détruits (guide VISA : « détruites dans le délai de trois mois suivant la levée ») ; la crise "
            "et ses campagnes restent, avec leurs seuls nombres, pour le rapport d'activité."
        ),
        expired=crises_to_purge,
        purge=_purge_crises,
    )
)


def removed_entries(now):
    from maillage.register.enums import EntryStatus
    from maillage.register.models import RegisterEntry

    days = getattr(settings, "MAILLAGE_RETENTION_REGISTER_REMOVED_DAYS", 0)
    return RegisterEntry.objects.filter(status=EntryStatus.REMOVED, removed_at__lte=now - relativedelta(days=days))


register(
    RetentionRule(
        key=REMOVED_ENTRY_RULE,
        model="register.RegisterEntry",
        description=(
            "Inscription radiée : effacée au plus tard le lendemain (CASF art. R121-11 : les données du registre "
            "sont conservées jusqu'au décès ou jusqu'à la demande de radiation) ; la preuve de la demande est le "
            "consentement retiré, gardé 5 ans ; la fiche de la personne suit sa propre règle ; délai réglable "
            "(MAILLAGE_RETENTION_REGISTER_REMOVED_DAYS, 0 par défaut)."
        ),
        expired=removed_entries,
    )
)
