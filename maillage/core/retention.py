"""Retention: how long each kind of personal data is kept, and the daily task that applies it
(architecture.md, rule 4).

Each app declares, for each model holding personal data, a `RetentionRule`: which rows are past
their time, and whether they are deleted or anonymised. `apply_retention()` runs every rule in its
own transaction and writes what it did in `RetentionRun`. The erasures themselves write no audit
line (the run says what was done); the trail keeps no values of personal data anyway (core.audit).
The trail itself has a rule: its old lines go through `core.audit.purge_trail`, the only deletion
its append-only triggers let through.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from auditlog.context import disable_auditlog
from django.db import models, transaction
from django.utils import timezone

from maillage.core.models import RetentionRun


@dataclass(frozen=True)
class RetentionRule:
    key: str
    model: str  # "app_label.ModelName"
    description: str  # French, with the source of the rule
    expired: Callable[[datetime.datetime], models.QuerySet]  # rows past their time at `now`
    action: str = "delete"  # or "anonymise"
    anonymise: Callable[[models.Model], None] | None = None
    # For a table that refuses row-by-row deletion (the audit trail): deletes the expired rows
    # in one privileged operation and returns how many.
    purge: Callable[[datetime.datetime], int] | None = None


RULES: dict[str, RetentionRule] = {}


def register(rule: RetentionRule) -> RetentionRule:
    if rule.action == "anonymise" and rule.anonymise is None:
        raise ValueError(f"La règle {rule.key} anonymise sans dire comment.")
    RULES[rule.key] = rule
    return rule


def apply_retention(*, now: datetime.datetime | None = None, dry_run: bool = False) -> list[RetentionRun]:
    """Apply every registered rule; each in its own transaction so that one failure does not undo
    the others. Returns what was done."""
    now = now or timezone.now()
    runs = []
    for rule in RULES.values():
        # No audit line per erased row: it would copy into the trail the very data being erased.
        # The RetentionRun row says what was done, when and under which rule.
        with transaction.atomic(), disable_auditlog():
            if rule.purge is not None:
                count = rule.expired(now).count() if dry_run else rule.purge(now)
                runs.append(_record(rule, count, now, dry_run))
                continue
            rows = list(rule.expired(now))
            if not dry_run:
                for row in rows:
                    if rule.action == "delete":
                        row.delete()
                    else:
                        rule.anonymise(row)
                        row.save()
            runs.append(_record(rule, len(rows), now, dry_run))
    return runs


def _record(rule: RetentionRule, count: int, now: datetime.datetime, dry_run: bool) -> RetentionRun:
    return RetentionRun.objects.create(
        rule=rule.key, description=rule.description, action=rule.action, count=count, ran_at=now, dry_run=dry_run
    )


# --- The audit trail's own rule -----------------------------------------------------------------


def _old_audit_lines(now):
    from maillage.core.audit import retention_period
    from maillage.core.models import AuditLogEntry

    return AuditLogEntry.objects.filter(timestamp__lt=now - retention_period())


def _purge_audit_lines(now):
    from maillage.core.audit import purge_trail, retention_period

    return purge_trail(before=now - retention_period(), rule=AUDIT_TRAIL_RULE)


AUDIT_TRAIL_RULE = "core.audit.trail"
register(
    RetentionRule(
        key=AUDIT_TRAIL_RULE,
        model="core.AuditLogEntry",
        description=(
            "Lignes du journal d'audit (modifications, consultations, connexions) de plus d'un an : "
            "recommandation CNIL sur la journalisation (délibération n° 2021-122, entre six mois et un an) ; "
            "purge privilégiée, inscrite dans le journal ; durée réglable (MAILLAGE_RETENTION_AUDIT_DAYS, "
            "au moins 183 jours)."
        ),
        expired=_old_audit_lines,
        purge=_purge_audit_lines,
    )
)
