"""The register of vulnerable persons (« registre nominatif », CASF L121-6-1, R121-2 to R121-12).

An entry belongs to the organisation that keeps the commune's register (the mairie or its CCAS) and
points to the person's file in that organisation: identity, addresses, phones and relations are read
from the file, never copied here. What the register adds: who asked, the legal quality, the consent,
how to reach the person during a crisis, and its status.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from maillage.core.models import Organisation
from maillage.people.models import Consent, Person, Relation
from maillage.register.enums import EntrySource, EntryStatus, IsolationFactor, LegalCategory, Priority


class RegisterEntryQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=EntryStatus.ACTIVE)

    def pending(self):
        return self.filter(status=EntryStatus.PENDING_CONSENT)

    def current(self):
        """Entries that still hold personal data for the register: all but the removed ones."""
        return self.exclude(status=EntryStatus.REMOVED)


class RegisterEntry(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="register_entries", verbose_name="structure"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="register_entries")
    status = models.CharField(
        "statut", max_length=20, choices=EntryStatus.choices, default=EntryStatus.PENDING_CONSENT, db_index=True
    )

    # Who asked, and how (CASF R121-2; guide VISA).
    source = models.CharField("inscription demandée par", max_length=25, choices=EntrySource.choices)
    requester_name = models.CharField(
        "nom du demandeur", max_length=200, blank=True, help_text="Le proche, le tiers ou le professionnel."
    )
    requester_contact = models.CharField("coordonnées du demandeur", max_length=250, blank=True)
    requester_relationship = models.CharField("lien avec la personne", max_length=100, blank=True)
    requested_on = models.DateField("demande reçue le", default=timezone.localdate)
    received_via = models.CharField(
        "reçue par",
        max_length=20,
        choices=[
            ("desk", "Accueil ou téléphone"),
            ("online", "Formulaire en ligne"),
            ("paper", "Formulaire papier"),
            ("report", "Signalement d'un tiers"),
            ("import", "Liste transmise"),
        ],
        default="desk",
    )
    import_batch = models.CharField(max_length=40, blank=True, editable=False)
    # The public forms (register.services.public): what the manager must look at before the entry is
    # trusted — a file that only resembles the person (« doublon possible »), the details typed in the
    # form when an existing file was reused (the file itself is never changed by an anonymous form),
    # and a third party's reason to worry.
    possible_duplicate = models.BooleanField(
        "doublon possible",
        default=False,
        help_text="La demande ressemble à une autre fiche de la structure : vérifiez avant de l'accepter.",
    )
    submitted_details = models.TextField("coordonnées données dans la demande", blank=True)
    concern = models.TextField(
        "ce qui inquiète le demandeur",
        blank=True,
        help_text="Ce que le tiers a remarqué (isolement, chaleur, absence) ; aucune donnée de santé.",
    )

    # The consent (people.Consent of scope « register »): its date, channel, agent; and the words shown.
    consent = models.ForeignKey(
        Consent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="consentement"
    )
    consent_wording = models.TextField("texte du consentement présenté", blank=True)
    subscribes_to_information = models.BooleanField("souhaite recevoir les informations de la commune", default=False)

    legal_category = models.CharField(
        "qualité au titre de laquelle la personne est inscrite",
        max_length=20,
        choices=LegalCategory.choices,
        blank=True,
        help_text="Peut rester à préciser sur un signalement ; obligatoire pour une inscription active.",
    )
    isolation_factors = models.JSONField("facteurs d'isolement", default=list, blank=True)
    priority = models.PositiveSmallIntegerField("priorité", choices=Priority.choices, default=Priority.NORMAL)
    neighbourhood = models.CharField("quartier", max_length=100, blank=True, db_index=True)

    # How to reach the person during a crisis (the numbers are the file's phones).
    best_times = models.CharField("meilleurs moments pour appeler", max_length=200, blank=True)
    prefers_visit = models.BooleanField("préfère une visite à un appel", default=False)
    language = models.CharField("langue de l'appel", max_length=10, blank=True, help_text="Vide : français.")
    hearing_difficulty = models.BooleanField("entend mal au téléphone", default=False)
    known_by = models.ForeignKey(
        Relation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="personne qui la connaît déjà",
        help_text="Un proche, un voisin ou un professionnel de son entourage, à qui l'on peut aussi parler.",
    )
    known_by_callers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name="appelants qui la connaissent déjà",
    )
    home_professionals = models.TextField(
        "professionnels qui interviennent déjà",
        blank=True,
        help_text="Les noms et les services seulement (aide à domicile, infirmier…), aucune donnée de santé.",
    )
    home_access = models.CharField(
        "accès au logement", max_length=250, blank=True, help_text="Digicode, gardien, voisin qui a une clé…"
    )

    # Life of the entry.
    activated_on = models.DateField("inscrite le", null=True, blank=True)
    confirmed_on = models.DateField("inscription confirmée le", null=True, blank=True)
    suspended_reason = models.CharField("motif de la suspension", max_length=250, blank=True)
    removed_at = models.DateTimeField("radiée le", null=True, blank=True)
    removal_reason = models.CharField("motif de la radiation", max_length=250, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegisterEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "inscription au registre"
        verbose_name_plural = "inscriptions au registre"
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One current entry per person and register: a removed entry may be followed by a new one.
            models.UniqueConstraint(
                fields=["organisation", "person"],
                condition=~models.Q(status="removed"),
                name="register_one_current_entry_per_person",
            )
        ]
        indexes = [models.Index(fields=["organisation", "status", "priority"])]

    def __str__(self):
        return f"Inscription au registre n° {self.pk}"

    def isolation_labels(self) -> list[str]:
        labels = dict(IsolationFactor.choices)
        return [labels[code] for code in self.isolation_factors or [] if code in labels]

    def language_label(self) -> str:
        from maillage.directory.forms import LANGUAGE_NAMES

        return LANGUAGE_NAMES.get(self.language, self.language) if self.language else "Français"

    def clean(self):
        errors = {}
        unknown = set(self.isolation_factors or []) - set(IsolationFactor.values)
        if unknown:
            errors["isolation_factors"] = "Facteur d'isolement inconnu."
        if self.person_id and self.organisation_id and self.person.organisation_id != self.organisation_id:
            errors["person"] = "La personne doit être suivie par la structure qui tient le registre."
        if self.requested_on and self.requested_on > timezone.localdate():
            errors["requested_on"] = "La date de la demande ne peut pas être dans le futur."
        if self.status == EntryStatus.ACTIVE and not self.consent_id and EntrySource.needs_consent(self.source):
            errors["status"] = "Une inscription demandée par un tiers reste en attente jusqu'au consentement."
        if self.status == EntryStatus.ACTIVE and not self.legal_category:
            errors["legal_category"] = "Indiquez à quel titre la personne est inscrite (CASF R121-2)."
        if errors:
            raise ValidationError(errors)
