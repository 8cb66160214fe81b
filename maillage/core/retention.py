"""Retention: how long each kind of personal data is kept, and the daily task that applies it
(architecture.md, rule 4).

Each app declares, for each model holding personal data, a `RetentionRule`: which rows are past
their time, and whether they are deleted or anonymised. `apply_retention()` runs every rule in its
own transaction and writes what it did in `RetentionRun`. The erasures themselves write no audit
line: a line per erased row would copy the erased data into the trail.
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
            rows = list(rule.expired(now))
            if not dry_run:
                for row in rows:
                    if rule.action == "delete":
                        row.delete()
                    else:
                        rule.anonymise(row)
                        row.save()
            runs.append(
                RetentionRun.objects.create(
                    rule=rule.key,
                    description=rule.description,
                    action=rule.action,
                    count=len(rows),
                    ran_at=now,
                    dry_run=dry_run,
                )
            )
    return runs
