"""Audit: the history of every change to models holding personal data, and the log of openings of
sensitive pages (architecture.md, rule 2; decisions.md, items 4 and 15).

Changes are written by django-auditlog into `core.AuditLogEntry`, with the actor, address and the
organisation the actor was working for (set per request by `AuditContextMiddleware`). Openings are
written by `record_access`. Every app registers its models here with `register`.

Privacy by default: a registered model is taken as holding the personal data of the persons
followed, so its lines say who did what to which record ("Personne n° 12"), when, and which fields
changed, but never the values, nor the record's own name. Only references to a person's file, an
organisation or an account keep their primary key. Models of public or staff data (directory,
organisations, accounts) opt out with `personal=False` and keep their values.

The trail is append-only (database triggers); its only deletion is `purge_trail`, run by the
retention task after `MAILLAGE_RETENTION_AUDIT_DAYS` (365 by default), which lifts the delete
trigger inside its own transaction and writes its own line.
"""

import contextvars
import datetime
from contextlib import contextmanager

from auditlog.context import set_extra_data
from auditlog.registry import auditlog
from auditlog.signals import post_log, pre_log
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import capfirst

from maillage.core.clientip import client_ip
from maillage.core.migrations import _audit_triggers
from maillage.core.models import ApiKey, AuditLogEntry, Membership, Organisation, User

# What a line of a personal-data model holds in place of every value.
MASK = "[masqué]"
# Relations whose value (a primary key) is kept: a reference to a file, an organisation or an
# account, needed to tell whose file a note belongs to and who was given a task. Nothing else.
REFERENCE_TARGETS = frozenset({"people.Person", "core.Organisation", "core.User"})

# Personal-data models -> names of the fields whose values the trail keeps (references only).
_PERSONAL: dict[type[models.Model], frozenset[str]] = {}


def mask(value) -> str:
    """auditlog's mask callable for personal-data models: the value never reaches the trail."""
    return MASK


def register(model, *, exclude_fields=(), mask_fields=(), personal=True):
    """Put a model under audit: every create, update and delete gets a line.

    `personal=True` (the default): values masked, references kept, the record named by its number.
    `personal=False`: public or staff data, values kept except `mask_fields`.
    """
    if not personal:
        _PERSONAL.pop(model, None)
        auditlog.register(model, exclude_fields=list(exclude_fields), mask_fields=list(mask_fields))
        return
    kept = {model._meta.pk.name} | {
        f.name
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model is not None and f.related_model._meta.label in REFERENCE_TARGETS
    }
    _PERSONAL[model] = frozenset(kept)
    auditlog.register(
        model,
        exclude_fields=list(exclude_fields),
        mask_fields=[f.name for f in model._meta.concrete_fields if f.name not in kept],
        mask_callable="maillage.core.audit.mask",
    )


def is_personal(model) -> bool:
    return model is not None and model._meta.concrete_model in _PERSONAL


def reference(model, pk) -> str:
    """How the trail names a record of a personal-data model: its kind and number, never its name."""
    return f"{capfirst(model._meta.verbose_name)} n° {pk}"


# The record django-auditlog is writing a line about (set by its pre_log signal): `redact` reads
# from it whose file the line is about.
_instance_being_logged: contextvars.ContextVar = contextvars.ContextVar("audit_instance", default=None)


def _remember_instance(sender, instance, **kwargs):
    _instance_being_logged.set(instance)


def _forget_instance(sender, **kwargs):
    _instance_being_logged.set(None)


pre_log.connect(_remember_instance, dispatch_uid="maillage-audit-remember-instance")
post_log.connect(_forget_instance, dispatch_uid="maillage-audit-forget-instance")


def _points_to_person(field) -> bool:
    return bool(field.many_to_one and field.related_model and field.related_model._meta.label == "people.Person")


def subject_person_id(obj) -> int | None:
    """The person whose file `obj` belongs to: the person itself, the person it points to, or the
    person of the record it belongs to (a plan's action, an assessment's version). None otherwise."""
    if obj is None:
        return None
    opts = obj._meta.concrete_model._meta
    if opts.label == "people.Person":
        return obj.pk
    relations = [f for f in opts.concrete_fields if f.many_to_one and f.related_model is not None]
    for field in relations:
        if _points_to_person(field):
            return getattr(obj, field.attname)
    for field in relations:
        parent_fields = field.related_model._meta.concrete_fields
        if any(
            f.many_to_one and f.related_model and f.related_model._meta.label == "people.Person" for f in parent_fields
        ):
            try:
                return subject_person_id(getattr(obj, field.name))
            except ObjectDoesNotExist:  # the parent went first in a cascade
                return None
    return None


def _set_subject(entry: AuditLogEntry, model) -> None:
    if entry.subject_person_id is not None or model is None:
        return
    instance = _instance_being_logged.get()
    if isinstance(instance, model) and str(instance.pk) == str(entry.object_pk):
        entry.subject_person_id = subject_person_id(instance)


def redact(entry: AuditLogEntry) -> None:
    """Called by `AuditLogEntry.save` on every new line, whoever writes it: a line about a
    personal-data record keeps its reference, the names of the changed fields and the references
    among them, and nothing else of the record."""
    model = ContentType.objects.get_for_id(entry.content_type_id).model_class() if entry.content_type_id else None
    _set_subject(entry, model)
    if not is_personal(model):
        return
    kept = _PERSONAL[model._meta.concrete_model]
    if entry.object_pk:  # a line about no record (a search) keeps its own label
        entry.object_repr = reference(model, entry.object_pk)
    entry.serialized_data = None
    entry.additional_data = None
    if entry.changes:
        entry.changes = {field: _redacted(values, field in kept) for field, values in entry.changes.items()}


def _redacted(values, keep: bool):
    if isinstance(values, dict):  # many-to-many: {"type": "m2m", "operation": …, "objects": [...]}
        return {**values, "objects": [MASK for _ in values.get("objects", [])]}
    if keep:
        return values
    return [MASK for _ in values] if isinstance(values, (list, tuple)) else MASK


def change_summary(entry: AuditLogEntry) -> dict:
    """What the audit pages show of a line's changes: the labels of the fields whose values are
    masked, and (label, before, after) for the others."""
    summary = {"masked": [], "values": []}
    if not entry.changes:
        return summary
    model = ContentType.objects.get_for_id(entry.content_type_id).model_class()
    personal = is_personal(model)
    for name, values in entry.changes.items():
        field = _field(model, name)
        label = str(getattr(field, "verbose_name", name))
        if field is not None and field.is_relation and label == name.replace("_", " "):
            label = str(field.related_model._meta.verbose_name)  # `person` → « personne »
        if not isinstance(values, (list, tuple)) or len(values) != 2 or MASK in values:
            summary["masked"].append(label)  # masked, or many-to-many (objects named)
        elif personal and field is not None and field.is_relation:
            target = field.related_model
            summary["values"].append((label, _ref_or_none(target, values[0]), _ref_or_none(target, values[1])))
        else:
            summary["values"].append(
                (label, "" if values[0] is None else values[0], "" if values[1] is None else values[1])
            )
    return summary


def _field(model, name):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:  # a field removed since the line was written
        return None


def _ref_or_none(model, pk) -> str:
    return "" if pk in (None, "", "None") else reference(model, pk)


register(User, exclude_fields=["last_login", "password"], personal=False)
register(Membership, personal=False)
register(Organisation, exclude_fields=["updated_at"], personal=False)
# Creation and revocation of API keys; never the digest, nor each use (last_used_at).
register(ApiKey, exclude_fields=["secret_hash", "last_used_at"], personal=False)


# The trail in sentences, for the person's right of access (people.exports): what was done, by whom,
# for which organisation, when, and by which path.
ACCESS_PATH_PHRASES = {
    "organisation": "au titre de la structure responsable du dossier",
    "care_team": "au titre de l'équipe autour de la personne",
    "break_glass": "par un accès exceptionnel",
    "sponsorship": "au titre d'un parrainage",
    "call_assignment": "au titre d'un appel qui lui était attribué",
    "referral": "au titre d'une orientation adressée à sa structure",
    "referral_link": "par le lien d'une orientation, partenaire sans compte",
}
CHANGE_NOUNS = {
    AuditLogEntry.Action.CREATE: "Ajout",
    AuditLogEntry.Action.UPDATE: "Modification",
    AuditLogEntry.Action.DELETE: "Suppression",
}


# Bookkeeping columns a person has no use for in the list of what changed (core.versioning's counter).
TRAIL_SILENT_FIELDS = frozenset({"version", "updated_at", "search_text"})


def _changed_field_labels(entry: AuditLogEntry) -> list[str]:
    if not entry.changes:
        return []
    model = ContentType.objects.get_for_id(entry.content_type_id).model_class()
    names = [name for name in entry.changes if name not in TRAIL_SILENT_FIELDS]
    labels = []
    for name in names:
        field = _field(model, name)
        label = str(getattr(field, "verbose_name", "")) if field is not None else ""
        if field is not None and field.is_relation and label == name.replace("_", " "):
            label = str(field.related_model._meta.verbose_name)  # `person` → « personne »
        labels.append(label or "un champ supprimé depuis")
    return labels


def trail_sentence(entry: AuditLogEntry, when: str | None = None) -> str:
    """One line of the trail as a sentence a person reads: « Consultation par Camille Martin (CCAS de
    Dijon) le 3 décembre 2026 à 10 h 12 : notes de suivi, au titre de l'équipe autour de la
    personne. » or « Modification d'une note de suivi par … (champs : texte, visibilité). » Never a
    code, a model's name or a value masked by `redact`. `when` replaces « le 3 décembre 2026 à 10 h 12 »
    (`trail_sentences` gathers the same act repeated on one day)."""
    from maillage.core import grammar

    who = (entry.actor.get_full_name() or entry.actor.email) if entry.actor_id else (entry.actor_email or "")
    if who:
        by = f"par {who}" + (f" ({entry.organisation.name})" if entry.organisation_id else "") + " "
    elif entry.organisation_id:  # a task or an import, for an organisation
        by = f"par {grammar.with_article(entry.organisation.name)} "
    else:  # a task of the platform itself: no one to name
        by = ""
    when = when if when is not None else f"le {grammar.long_datetime(entry.timestamp)}"
    if entry.action == AuditLogEntry.Action.ACCESS:
        what = grammar.lower_first(entry.changes_text) if entry.changes_text else "le dossier"
        sentence = f"Consultation {by}{when} : {what}"
    else:
        model = ContentType.objects.get_for_id(entry.content_type_id).model_class() if entry.content_type_id else None
        noun = str(model._meta.verbose_name) if model else "information"
        if model is not None and model._meta.label == "people.Person":
            thing = "de la fiche"
        else:
            try:
                thing = grammar.de(grammar.indefinite(noun))
            except grammar.UnknownNoun:
                thing = f"({noun})"
        sentence = f"{CHANGE_NOUNS.get(entry.action, 'Changement')} {thing} {by}{when}"
        fields = _changed_field_labels(entry) if entry.action == AuditLogEntry.Action.UPDATE else []
        if fields:
            sentence += f" (champ{'s' if len(fields) > 1 else ''} : {', '.join(fields)})"
    if entry.access_path in ACCESS_PATH_PHRASES:
        sentence += f", {ACCESS_PATH_PHRASES[entry.access_path]}"
        if entry.access_path == "break_glass" and entry.reason:
            sentence += f" (motif : {entry.reason})"
    return sentence + "."


def trail_sentences(entries) -> list[str]:
    """The trail in sentences, newest first, the same act by the same person on the same day said
    once: « Consultation par Camille Martin (CCAS de Dijon) le 3 décembre 2026 (4 fois, de 9 h 05 à
    16 h 40) : fiche de la personne, … » — a year of follow-up opens a file hundreds of times."""
    from maillage.core import grammar

    groups: dict[tuple, list] = {}
    for entry in entries:
        day = timezone.localtime(entry.timestamp).date()
        groups.setdefault((day, trail_sentence(entry, when="{when}")), []).append(entry.timestamp)
    sentences = []
    for (day, template), moments in groups.items():
        if len(moments) == 1:
            when = f"le {grammar.long_datetime(moments[0])}"
        else:
            first, last = (timezone.localtime(m) for m in (min(moments), max(moments)))
            start, end = (f"{m.hour} h {m.minute:02d}" for m in (first, last))
            span = f"à {start}" if start == end else f"de {start} à {end}"
            when = f"le {grammar.long_date(day)} ({len(moments)} fois, {span})"
        sentences.append(template.replace("{when}", when))
    return sentences


def remote_addr(request) -> str | None:
    """The client's address, as the lockout and the rate limits read it (`core.clientip`)."""
    return client_ip(request)


def request_context(request) -> dict:
    """What every audit line of this request carries: who, from where, for which organisation."""
    user = getattr(request, "user", None)
    return {
        "actor": user if user is not None and user.is_authenticated else None,
        "remote_addr": remote_addr(request),
        "organisation": getattr(request, "organisation", None),
    }


def audit_context(request):
    """Context manager binding the request's actor and organisation to the changes it makes."""
    return set_extra_data(context_data=request_context(request))


def _access_line(request, model, *, object_pk="", object_repr: str, what: str, path: str, **extra) -> AuditLogEntry:
    """One line of opening in the trail: who, from where, for which organisation, what, which page."""
    context = request_context(request)
    actor = context["actor"]
    return AuditLogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(model),
        object_pk=str(object_pk),
        object_repr=object_repr[:500],
        action=AuditLogEntry.Action.ACCESS,
        changes_text=what,
        actor=actor,
        actor_email=getattr(actor, "email", None),
        remote_addr=context["remote_addr"],
        organisation=context["organisation"],
        path=path[:500],
        **extra,
    )


def record_access(request, obj, *, what: str = "", reason: str = "", access_path: str = "") -> AuditLogEntry:
    """Log that the request's user opened a sensitive page about `obj` (who, when, what, why).

    For a personal-data record, its name never enters the line: `what` gets the record's
    reference in place of its name, and the page address loses its query string."""
    name = str(obj)
    path = request.get_full_path()
    if is_personal(obj.__class__):
        ref = reference(obj.__class__, obj.pk)
        what = what.replace(name, ref) if name else what
        name, path = ref, request.path
    return _access_line(
        request,
        obj.__class__,
        object_pk=obj.pk,
        object_repr=name,
        what=what,
        path=path,
        object_id=obj.pk if isinstance(obj.pk, int) else None,
        reason=reason,
        subject_person_id=subject_person_id(obj),
        access_path=access_path,
    )


def record_search(request, model, *, what: str, access_path: str = "break_glass") -> AuditLogEntry:
    """Log a list or search of persons (the break-glass search, the persons' lists): who, when,
    how many shown — never what was typed (the page address loses its query string)."""
    return _access_line(
        request, model, object_repr="Recherche de personnes", what=what, path=request.path, access_path=access_path
    )


def shown_count(count: int, noun: str = "fiche") -> str:
    """« aucune fiche affichée », « 1 fiche affichée », « 12 fiches affichées »."""
    if count == 0:
        return f"aucune {noun} affichée"
    plural = "s" if count > 1 else ""
    return f"{count} {noun}{plural} affichée{plural}"


def record_security_event(request, user: User, what: str) -> AuditLogEntry:
    """Log a security event about an account (login, logout, second factor set up, lockout)."""
    context = request_context(request)
    return AuditLogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(User),
        object_pk=str(user.pk),
        object_id=user.pk,
        object_repr=str(user)[:500],
        action=AuditLogEntry.Action.ACCESS,
        changes_text=what,
        actor=user,
        actor_email=user.email,
        remote_addr=context["remote_addr"],
        organisation=context["organisation"],
        path=request.get_full_path()[:500],
    )


# --- Retention of the trail itself ----------------------------------------------------------------

# CNIL, recommandation « journalisation » (délibération n° 2021-122 du 14 octobre 2021): between six
# months and one year in the general case. Below six months the trail no longer serves its purpose.
AUDIT_RETENTION_MIN_DAYS = 183


def retention_period() -> datetime.timedelta:
    days = int(getattr(settings, "MAILLAGE_RETENTION_AUDIT_DAYS", 365))
    if days < AUDIT_RETENTION_MIN_DAYS:
        raise ValueError(
            f"MAILLAGE_RETENTION_AUDIT_DAYS = {days} : le journal d'audit se garde au moins "
            f"{AUDIT_RETENTION_MIN_DAYS} jours (six mois, recommandation CNIL)."
        )
    return datetime.timedelta(days=days)


@contextmanager
def _lifted(operation: str):
    """Lift the append-only trigger against one operation ("delete" or "update"), inside the
    caller's transaction only.

    PostgreSQL and SQLite both run DDL in transactions: the trigger is disabled (PostgreSQL) or
    dropped (SQLite), then restored before the commit, so no other connection ever sees the table
    without it, and a failure rolls the lifting back with the change. The other operations stay
    refused meanwhile.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("Le journal d'audit ne se purge ou ne se masque que dans une transaction.")
    table, trigger = _audit_triggers.TABLE, f"{_audit_triggers.TABLE}_no_{operation}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Lines written earlier in this transaction have deferred foreign-key checks pending,
            # which forbid ALTER TABLE: check them now, then defer again (Django's default).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
            yield cursor
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            cursor.execute(f"DROP TRIGGER {trigger}")
            yield cursor
            (create,) = [sql for sql in _audit_triggers.SQLITE_CREATE if trigger in sql]
            cursor.execute(create)


def _log_operation(per_organisation: dict, text: str, action=AuditLogEntry.Action.DELETE) -> None:
    """One line per organisation concerned (the DPO sees it in their journal), and one for the
    lines of no organisation."""
    content_type = ContentType.objects.get_for_model(AuditLogEntry)
    for organisation_id, count in per_organisation.items():
        AuditLogEntry.objects.create(
            content_type=content_type,
            object_pk="",
            object_repr="Journal d'audit",
            action=action,
            changes_text=text.format(count=count, s="s" if count > 1 else ""),
            organisation_id=organisation_id,
        )


def _per_organisation(queryset) -> dict:
    return dict(queryset.order_by().values_list("organisation").annotate(n=models.Count("pk")))


def purge_trail(*, before: datetime.datetime, rule: str = "") -> int:
    """Delete the lines written before `before`: the only deletion the trail allows, logged in the
    trail itself (how many, up to when, under which rule). Returns the count."""
    with transaction.atomic():
        per_organisation = _per_organisation(AuditLogEntry.objects.filter(timestamp__lt=before))
        total = sum(per_organisation.values())
        if not total:
            return 0
        with _lifted("delete") as cursor:
            cursor.execute(
                f"DELETE FROM {_audit_triggers.TABLE} WHERE timestamp < %s",  # noqa: S608 (constant table)
                [connection.ops.adapt_datetimefield_value(before)],
            )
            if cursor.rowcount != total:
                raise RuntimeError("Le journal d'audit a changé pendant sa purge : rien n'est effacé.")
        day = timezone.localtime(before).date()
        _log_operation(
            per_organisation,
            "Purge : {count} ligne{s} antérieure{s} au "
            + f"{day:%d/%m/%Y} effacée{{s}}"
            + (f" (règle « {rule} »)" if rule else ""),
        )
    return total


def redact_written_lines() -> int:
    """Mask the lines of personal-data records written before masking existed (decisions.md,
    item 15): same rule as `redact`, plus the page address without its query string. The only
    update the trail allows, logged in the trail itself. Returns the count of lines changed."""
    with transaction.atomic():
        personal = models.Q(pk__in=[])
        for model in _PERSONAL:  # by name: nothing is created in the content-types table
            personal |= models.Q(
                content_type__app_label=model._meta.app_label, content_type__model=model._meta.model_name
            )
        changed = []
        for entry in AuditLogEntry.objects.filter(personal).order_by("pk").iterator():
            before = (entry.object_repr, entry.changes, entry.serialized_data, entry.additional_data, entry.path)
            redact(entry)
            entry.path = entry.path.split("?")[0]
            if (entry.object_repr, entry.changes, entry.serialized_data, entry.additional_data, entry.path) != before:
                changed.append(entry)
        if not changed:
            return 0
        per_organisation = _per_organisation(AuditLogEntry.objects.filter(pk__in=[e.pk for e in changed]))
        with _lifted("update"):
            for entry in changed:
                AuditLogEntry.objects.filter(pk=entry.pk).update(
                    object_repr=entry.object_repr,
                    changes=entry.changes,
                    serialized_data=entry.serialized_data,
                    additional_data=entry.additional_data,
                    path=entry.path,
                )
        _log_operation(
            per_organisation,
            "Masquage : {count} ligne{s} écrite{s} avant le masquage des données des personnes "
            "(valeurs et noms retirés)",
            action=AuditLogEntry.Action.UPDATE,
        )
    return len(changed)
