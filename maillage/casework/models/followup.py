"""Follow-up of a person (CLIC level 3 « suivi et coordination du plan d'aide personnalisé en
collaboration avec les intervenants extérieurs»): notes with a visibility level, tasks and reminders
of the coordinators, and documents.

Who reads a note is decided in core/access.py (`notes_visible_to`), never here.
"""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from maillage.core.models import Organisation
from maillage.people.models import Person

# Documents are kept five years after their upload unless the coordinator chooses another date
# (CNIL référentiel « action sociale » : durée de l'accompagnement puis archivage limité).
DOCUMENT_RETENTION = datetime.timedelta(days=5 * 365)
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
# The author corrects a note within this time after writing it; later, a new note says what changed.
NOTE_CORRECTION_WINDOW = datetime.timedelta(hours=24)


class NoteVisibility(models.TextChoices):
    AUTHOR = "author", "Moi seul·e"
    ORGANISATION = "organisation", "Ma structure"
    CARE_TEAM = "care_team", "L'équipe autour de la personne"


class Note(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notes")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name="structure"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    visibility = models.CharField(
        "qui peut lire cette note", max_length=15, choices=NoteVisibility.choices, default=NoteVisibility.ORGANISATION
    )
    body = models.TextField("note")
    created_at = models.DateTimeField("écrite le", default=timezone.now, editable=False)
    # Set by a correction (services.followup.note_correct); the text replaced is kept in NoteVersion.
    updated_at = models.DateTimeField("modifiée le", null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "note de suivi"
        verbose_name_plural = "notes de suivi"

    def __str__(self):
        return f"Note du {timezone.localtime(self.created_at):%d/%m/%Y}"

    @property
    def correctable_until(self) -> datetime.datetime:
        return self.created_at + NOTE_CORRECTION_WINDOW


class NoteVersion(models.Model):
    """A text of a note as it was before its author corrected it (docs/decisions.md): a note is
    never rewritten without a trace."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="versions")
    body = models.TextField("texte")
    visibility = models.CharField("qui pouvait la lire", max_length=15, choices=NoteVisibility.choices)
    written_at = models.DateTimeField("écrite le")  # when this text was written
    replaced_at = models.DateTimeField("remplacée le", default=timezone.now)

    class Meta:
        ordering = ["-written_at", "-pk"]
        verbose_name = "version précédente d'une note"
        verbose_name_plural = "versions précédentes des notes"

    def __str__(self):
        return f"Version du {timezone.localtime(self.written_at):%d/%m/%Y %H:%M}"


class FollowUpTaskQuerySet(models.QuerySet):
    def open(self):
        return self.filter(done_at__isnull=True)


class FollowUpTask(models.Model):
    """Something a coordinator must do for a person by a date (call back, check an application…)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="followup_tasks")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name="structure"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="followup_tasks", verbose_name="pour"
    )
    title = models.CharField("à faire", max_length=250)
    due_on = models.DateField("pour le")
    done_at = models.DateTimeField("fait le", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # The day the task was last in its assignee's daily digest (casework.tasks): at most once a day.
    reminded_on = models.DateField("rappelée le", null=True, blank=True, editable=False)

    objects = FollowUpTaskQuerySet.as_manager()

    class Meta:
        ordering = ["done_at", "due_on", "pk"]
        verbose_name = "tâche de suivi"
        verbose_name_plural = "tâches de suivi"

    def __str__(self):
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_on < timezone.localdate()


class DocumentKind(models.TextChoices):
    IDENTITY = "identity", "Pièce d'identité"
    RESOURCES = "resources", "Justificatif de ressources"
    MEDICAL = "medical", "Certificat ou compte rendu médical"
    APPLICATION = "application", "Dossier de demande (APA, MDPH…)"
    DECISION = "decision", "Notification ou décision"
    PLAN = "plan", "Plan d'aide signé"
    CORRESPONDENCE = "correspondence", "Courrier"
    OTHER = "other", "Autre"


def document_path(instance, filename):
    """Never the uploaded name on disk: a random name under the person's folder."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"casework/documents/{instance.person_id}/{uuid.uuid4().hex}.{extension}"


class Document(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="documents")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name="structure"
    )
    kind = models.CharField("type de document", max_length=15, choices=DocumentKind.choices)
    title = models.CharField("intitulé", max_length=200)
    file = models.FileField("fichier", upload_to=document_path, max_length=255)
    original_name = models.CharField("nom du fichier envoyé", max_length=255)
    content_type = models.CharField("type de contenu", max_length=100)
    size = models.PositiveIntegerField("taille (octets)")
    retain_until = models.DateField("à conserver jusqu'au")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("déposé le", default=timezone.now, editable=False)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = "document"

    def __str__(self):
        return self.title
