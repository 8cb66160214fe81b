"""Writes of the follow-up: notes, coordinators' tasks, documents (checked by their content)."""

import io
import zipfile

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from maillage.casework.models import Document, FollowUpTask, Note, NoteVersion
from maillage.casework.models.followup import DOCUMENT_MAX_BYTES, DOCUMENT_RETENTION
from maillage.core import access, archives
from maillage.core.exceptions import ApplicationError
from maillage.core.models import Organisation, User
from maillage.people.models import Person


def _check_follow(actor: User, organisation: Organisation, person: Person) -> None:
    if not access.can_write_followup(actor, organisation, person):
        raise ApplicationError("Vous n'avez pas le droit d'écrire dans le suivi de cette personne.")


@transaction.atomic
def note_create(*, actor: User, organisation: Organisation, person: Person, body: str, visibility: str) -> Note:
    """A follow-up note by a coordinator of the responsible organisation or a care-team member,
    readable according to its visibility (core/access.py `notes_visible_to`)."""
    _check_follow(actor, organisation, person)
    note = Note(person=person, organisation=organisation, author=actor, body=body.strip(), visibility=visibility)
    note.full_clean()
    note.save()
    return note


def note_correction_allowed(
    actor: User, organisation: Organisation | None, note: Note, *, now=None, can_follow: bool | None = None
) -> bool:
    """Only the note's author corrects it, within NOTE_CORRECTION_WINDOW of writing it, working for
    the organisation it was written for and still allowed to write in the person's follow-up (a
    professional who left the care team no longer does). Nobody else, whatever their role: a note
    is its author's account (docs/decisions.md)."""
    now = now or timezone.now()
    if note.author_id != getattr(actor, "pk", None):
        return False
    if note.organisation_id != getattr(organisation, "pk", None):
        return False
    if now > note.correctable_until:
        return False
    if can_follow is None:  # a list of notes passes it, computed once
        can_follow = access.can_write_followup(actor, organisation, note.person)
    return can_follow


@transaction.atomic
def note_correct(*, actor: User, organisation: Organisation, note: Note, body: str, visibility: str) -> Note:
    """The author corrects their note (`note_correction_allowed`): the text it replaces is kept as a
    NoteVersion, and the note shows « modifiée le … ». An unchanged note is left as it is."""
    note = Note.objects.select_for_update().select_related("person").get(pk=note.pk)
    if not note_correction_allowed(actor, organisation, note):
        raise ApplicationError(
            "Seul·e l'auteur·rice d'une note la corrige, dans les 24 heures qui suivent son écriture. "
            "Passé ce délai, écrivez une nouvelle note qui précise ce qui change."
        )
    body = body.strip()
    if body == note.body and visibility == note.visibility:
        return note
    previous = NoteVersion(
        note=note, body=note.body, visibility=note.visibility, written_at=note.updated_at or note.created_at
    )
    previous.full_clean()
    previous.save()
    note.body = body
    note.visibility = visibility
    note.updated_at = timezone.now()
    note.full_clean()
    note.save(update_fields=["body", "visibility", "updated_at"])
    return note


ASSIGNEE_REFUSED = (
    "Choisissez un·e collègue de votre structure qui peut agir sur ce dossier : un membre actif (accueil, "
    "coordination, registre ou direction), ni bénévole, ni partenaire, ni ancien membre."
)


@transaction.atomic
def followup_task_create(
    *, actor: User, organisation: Organisation, person: Person, assignee: User, title: str, due_on
) -> FollowUpTask:
    """A reminder for a colleague of the organisation who may act on the file (the actor by default;
    `access.task_assignees_for`). A date in the past is the form's to confirm, not refused here: a
    task written after the fact (« rappeler avant le 3 ») is a true record."""
    if not access.can_assess_person(actor, organisation, person):
        raise ApplicationError("Vous n'avez pas le droit de programmer des tâches pour cette personne.")
    if not access.can_be_given_task(assignee, organisation):
        raise ValidationError({"assignee": ASSIGNEE_REFUSED})
    task = FollowUpTask(
        person=person, organisation=organisation, assignee=assignee, title=title, due_on=due_on, created_by=actor
    )
    task.full_clean()
    task.save()
    return task


@transaction.atomic
def followup_task_complete(*, actor: User, organisation: Organisation, task: FollowUpTask) -> FollowUpTask:
    if not access.can_change_followup_task(actor, organisation, task):
        raise ApplicationError("Vous ne pouvez pas clore cette tâche.")
    if task.done_at is None:
        task.done_at = timezone.now()
        task.save(update_fields=["done_at"])
    return task


# --- Documents ----------------------------------------------------------------------------------

ALLOWED_TYPES = {
    "application/pdf": ("pdf",),
    "image/jpeg": ("jpg", "jpeg"),
    "image/png": ("png",),
    "application/vnd.oasis.opendocument.text": ("odt",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx",),
}
ALLOWED_LABEL = "PDF, JPEG, PNG, ODT ou DOCX"
# ODT and DOCX are zips: a text document's XML compresses 10 to 30 times, its images hardly.
DOCUMENT_ARCHIVE_LIMITS = archives.ArchiveLimits(max_entries=2000, max_total_bytes=200 * 1024 * 1024, max_ratio=100)


def sniff_content_type(head: bytes, stream, *, name: str = "") -> str | None:
    """The file's real type from its content (magic numbers; inside the zip for ODT and DOCX),
    whatever its name or the browser's claim."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"PK\x03\x04"):
        try:
            stream.seek(0)
            # Nothing is decompressed but the short « mimetype » entry, and only from an archive whose
            # directory is sane: the file is opened later by whoever downloads it.
            with archives.open_zip(stream, name=name, limits=DOCUMENT_ARCHIVE_LIMITS) as archive:
                names = set(archive.namelist())
                if (
                    "mimetype" in names
                    and archives.read_entry(archive, "mimetype", name=name, max_bytes=200).strip()
                    == b"application/vnd.oasis.opendocument.text"
                ):
                    return "application/vnd.oasis.opendocument.text"
                if "[Content_Types].xml" in names and "word/document.xml" in names:
                    return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        except (zipfile.BadZipFile, KeyError, OSError):
            return None
    return None


def check_upload(upload) -> str:
    """Refuse, in French, a file too large, of a type not allowed, or whose extension lies about
    its content. Returns the real content type."""
    if upload.size > DOCUMENT_MAX_BYTES:
        raise ValidationError(
            {"file": f"Le fichier pèse {upload.size / 1024 / 1024:.1f} Mo : la limite est de 10 Mo."}
        )
    if upload.size == 0:
        raise ValidationError({"file": "Le fichier est vide."})
    upload.seek(0)
    data = upload.read()  # at most 10 MB, checked above
    upload.seek(0)
    try:
        content_type = sniff_content_type(data[:16], io.BytesIO(data), name=upload.name)
    except archives.ArchiveRefused as exc:
        raise ValidationError({"file": exc.message}) from exc
    if content_type is None:
        raise ValidationError({"file": f"Type de fichier non autorisé : déposez un fichier {ALLOWED_LABEL}."})
    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if extension not in ALLOWED_TYPES[content_type]:
        raise ValidationError(
            {
                "file": f"L'extension « .{extension} » ne correspond pas au contenu du fichier "
                f"({ALLOWED_TYPES[content_type][0].upper()}) : renommez-le ou déposez le bon fichier."
            }
        )
    return content_type


@transaction.atomic
def document_upload(
    *, actor: User, organisation: Organisation, person: Person, upload, kind: str, title: str, retain_until=None
) -> Document:
    """Store a document of the person under MEDIA_ROOT (random name), after checking its content."""
    _check_follow(actor, organisation, person)
    content_type = check_upload(upload)
    today = timezone.localdate()
    retain_until = retain_until or today + DOCUMENT_RETENTION
    if retain_until < today:
        raise ValidationError({"retain_until": "La date de conservation ne peut pas être passée."})
    document = Document(
        person=person,
        organisation=organisation,
        kind=kind,
        title=title or upload.name,
        original_name=upload.name[:255],
        content_type=content_type,
        size=upload.size,
        retain_until=retain_until,
        uploaded_by=actor,
    )
    document.file.save(upload.name, upload, save=False)
    try:
        document.full_clean()
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    return document
