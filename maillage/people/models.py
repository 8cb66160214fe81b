"""Persons the network helps, their relatives and carers, and their consents.

A person's record belongs to one organisation (the data controller that created it). Colleagues of
other organisations reach it only through the care team or a logged break-glass access
(core/access.py).
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from maillage.core.models import Commune, Organisation
from maillage.core.validators import NoControlCharactersValidator
from maillage.people import normalise
from maillage.people.enums import (
    ConsentChannel,
    ConsentGiver,
    ConsentScope,
    HousingSituation,
    LegalProtection,
    PhoneKind,
    RelationKind,
    Sex,
    SocialSecurityScheme,
)

# The oldest person ever recorded lived 122 years: a birth date further back is a typing error.
MAX_AGE_YEARS = 125


def validate_birth_date(value: datetime.date) -> None:
    today = timezone.localdate()
    if value > today:
        raise ValidationError("La date de naissance ne peut pas être dans le futur.", code="future")
    if today.year - value.year > MAX_AGE_YEARS:
        raise ValidationError(
            "Cette date de naissance donnerait plus de %(max)s ans : vérifiez l'année.",
            code="too_old",
            params={"max": MAX_AGE_YEARS},
        )


class PersonQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True, merged_into__isnull=True)


class PersonManager(models.Manager.from_queryset(PersonQuerySet)):
    """Persons' files in use: a file merged into another is a tombstone, kept only to undo the merge
    (decisions.md, « Merge and concurrent edits »). Being the default manager, every list, search,
    duplicate check, retention rule and access check ignores tombstones without having to think
    of it; `Person.all_objects` sees them (the merge and its undo)."""

    def get_queryset(self):
        return super().get_queryset().filter(merged_into__isnull=True)


class Person(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="persons", verbose_name="structure responsable"
    )
    last_name = models.CharField(
        "nom d'usage", max_length=150, validators=[NoControlCharactersValidator("Nom d'usage")]
    )
    birth_name = models.CharField(
        "nom de naissance", max_length=150, blank=True, validators=[NoControlCharactersValidator("Nom de naissance")]
    )
    first_names = models.CharField("prénom(s)", max_length=150, validators=[NoControlCharactersValidator("Prénom(s)")])
    sex = models.CharField("sexe", max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField("date de naissance", null=True, blank=True, validators=[validate_birth_date])
    birth_place = models.CharField("lieu de naissance", max_length=150, blank=True)
    languages = models.CharField(
        "langues parlées", max_length=200, blank=True, help_text="Par exemple : français, arabe, LSF."
    )
    lives_alone = models.BooleanField("vit seul·e", null=True, blank=True)
    legal_protection = models.CharField(
        "mesure de protection", max_length=30, choices=LegalProtection.choices, default=LegalProtection.UNKNOWN
    )
    social_security_scheme = models.CharField(
        "régime d'assurance maladie",
        max_length=20,
        choices=SocialSecurityScheme.choices,
        default=SocialSecurityScheme.UNKNOWN,
    )
    pension_funds = models.CharField(
        "caisses de retraite", max_length=250, blank=True, help_text="Par exemple : Carsat, Agirc-Arrco."
    )
    gir = models.PositiveSmallIntegerField(
        "GIR", null=True, blank=True, choices=[(i, f"GIR {i}") for i in range(1, 7)], help_text="Quand il est connu."
    )
    gir_assessed_on = models.DateField("GIR évalué le", null=True, blank=True)
    deceased_on = models.DateField("décédé·e le", null=True, blank=True)

    # Normalised names (no accents, no hyphens, lower case) for search and duplicate detection.
    search_names = models.CharField(max_length=500, editable=False, db_index=True)
    created_at = models.DateTimeField("créée le", default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    last_activity_at = models.DateTimeField(
        "dernière activité", default=timezone.now, help_text="Départ de la durée de conservation."
    )
    archived_at = models.DateTimeField("archivée le", null=True, blank=True)
    # Optimistic locking: bumped by every write of an editable field; a form carries the version it
    # was read at and a stale one is refused (core.versioning).
    version = models.PositiveIntegerField("version", default=1, editable=False)
    # A duplicate merged into another file: a tombstone hidden everywhere, restorable for a while.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name="fusionnée dans",
    )
    merged_at = models.DateTimeField("fusionnée le", null=True, blank=True, editable=False)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    # What the merge did, to undo it: the rows moved (model label, field, primary keys), the rows
    # changed to resolve a conflict, and the kept file's values it overwrote.
    merge_record = models.JSONField(default=dict, blank=True, editable=False)

    objects = PersonManager()
    all_objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_names"]
        verbose_name = "personne"
        base_manager_name = "all_objects"
        indexes = [
            models.Index(fields=["organisation", "search_names"], name="person_org_names_idx"),
            models.Index(fields=["organisation", "birth_date"], name="person_org_birth_idx"),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        # Derived field, kept right even when a caller forgot full_clean().
        self.search_names = normalise.names(self.last_name, self.birth_name, self.first_names)
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        name = f"{self.first_names} {self.last_name.upper()}"
        if self.birth_name and normalise.text(self.birth_name) != normalise.text(self.last_name):
            name += f" ({self.born} {self.birth_name.upper()})"
        return name

    @property
    def born(self) -> str:
        """« née », « né », or « né·e » when the sex is not known: the participle agreed with the person."""
        return {Sex.FEMALE: "née", Sex.MALE: "né"}.get(self.sex, "né·e")

    @property
    def age(self) -> int | None:
        if self.birth_date is None:
            return None
        today = timezone.localdate()
        return (
            today.year
            - self.birth_date.year
            - ((today.month, today.day) < (self.birth_date.month, self.birth_date.day))
        )

    def clean(self):
        self.last_name = self.last_name.strip()
        self.first_names = self.first_names.strip()
        self.birth_name = self.birth_name.strip()
        self.search_names = normalise.names(self.last_name, self.birth_name, self.first_names)
        if self.deceased_on and self.birth_date and self.deceased_on < self.birth_date:
            raise ValidationError({"deceased_on": "La date de décès précède la date de naissance."})
        if self.deceased_on and self.deceased_on > timezone.localdate():
            raise ValidationError({"deceased_on": "La date de décès ne peut pas être dans le futur."})


class PersonAddress(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    line = models.CharField("adresse", max_length=250, blank=True)  # a commune alone is kept too
    complement = models.CharField("complément (bâtiment, étage, digicode)", max_length=250, blank=True)
    postal_code = models.CharField("code postal", max_length=5, blank=True)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+", verbose_name="commune")
    housing = models.CharField(
        "situation de logement", max_length=20, choices=HousingSituation.choices, default=HousingSituation.UNKNOWN
    )
    is_current = models.BooleanField("adresse actuelle", default=True)
    since = models.DateField("depuis", null=True, blank=True)

    class Meta:
        ordering = ["-is_current", "-since", "-pk"]
        verbose_name = "adresse"
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(is_current=True), name="person_one_current_address")
        ]

    def __str__(self):
        place = f"{self.postal_code} {self.commune.name}".strip()
        return f"{self.line}, {place}" if self.line else place


class PersonPhone(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField("numéro", max_length=20, help_text="Enregistré au format international (+33…).")
    digits = models.CharField(max_length=20, editable=False, db_index=True)
    kind = models.CharField("type", max_length=10, choices=PhoneKind.choices, default=PhoneKind.MOBILE)
    is_preferred = models.BooleanField("à privilégier", default=False)
    accepts_sms = models.BooleanField("accepte les SMS", default=False)
    note = models.CharField("précisions", max_length=200, blank=True, help_text="Par exemple « le matin ».")

    class Meta:
        ordering = ["-is_preferred", "pk"]
        verbose_name = "téléphone"

    def __str__(self):
        return normalise.display_phone(self.number)

    def save(self, *args, **kwargs):
        self.digits = normalise.phone_digits(self.number)
        super().save(*args, **kwargs)

    def clean(self):
        self.number = normalise.phone(self.number)  # raises a French ValidationError
        self.digits = normalise.phone_digits(self.number)
        detected = normalise.phone_kind(self.number)
        if not self.kind:
            self.kind = detected
        elif self.kind == PhoneKind.MOBILE and detected == PhoneKind.LANDLINE:
            raise ValidationError(
                {
                    "kind": f"Le {normalise.display_phone(self.number)} est un numéro de fixe, pas un mobile : "
                    "choisissez « Fixe » ou « D'après le numéro »."
                }
            )
        if self.accepts_sms and detected == PhoneKind.LANDLINE:
            raise ValidationError({"accepts_sms": "Un numéro de fixe ne reçoit pas de SMS."})


class PersonEmail(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="emails")
    address = models.EmailField("adresse électronique")
    is_preferred = models.BooleanField("à privilégier", default=False)

    class Meta:
        ordering = ["-is_preferred", "pk"]
        verbose_name = "adresse électronique"

    def __str__(self):
        return self.address


class Relation(models.Model):
    """Someone around the person: carer, family, neighbour, legal representative, professional.
    Names and roles only for professionals."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relations")
    kind = models.CharField("lien", max_length=25, choices=RelationKind.choices)
    first_name = models.CharField(
        "prénom", max_length=150, blank=True, validators=[NoControlCharactersValidator("Prénom")]
    )
    last_name = models.CharField("nom", max_length=150, validators=[NoControlCharactersValidator("Nom")])
    relationship = models.CharField(
        "précision du lien", max_length=100, blank=True, help_text="Par exemple : fille, époux, médecin traitant."
    )
    organisation_name = models.CharField("structure (professionnel·le)", max_length=200, blank=True)
    phone = models.CharField("téléphone", max_length=20, blank=True)
    email = models.EmailField("adresse électronique", blank=True)
    address = models.CharField("adresse", max_length=250, blank=True)
    is_emergency_contact = models.BooleanField("à prévenir en cas d'urgence", default=False)
    lives_with_person = models.BooleanField("vit avec la personne", default=False)
    related_person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="fiche de ce proche (s'il est aussi suivi)",
    )
    note = models.TextField("remarques", blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["kind", "last_name"]
        verbose_name = "proche ou professionnel"
        verbose_name_plural = "entourage"

    def __str__(self):
        return f"{self.first_name} {self.last_name} ({self.get_kind_display()})".strip()

    @property
    def phone_display(self) -> str:
        return normalise.display_phone(self.phone) if self.phone else ""

    def clean(self):
        if self.phone:
            self.phone = normalise.phone(self.phone, field="phone")


class ConsentQuerySet(models.QuerySet):
    def in_force(self):
        return self.filter(withdrawn_at__isnull=True)


class Consent(models.Model):
    """What the person (or their representative) agreed to, when, how, and whether withdrawn."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    scope = models.CharField("objet", max_length=15, choices=ConsentScope.choices)
    partner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="partenaire (pour un partage)",
    )
    given_on = models.DateField("recueilli le", default=timezone.localdate)
    given_by = models.CharField("donné par", max_length=25, choices=ConsentGiver.choices, default=ConsentGiver.PERSON)
    channel = models.CharField("comment", max_length=15, choices=ConsentChannel.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="saisi par"
    )
    withdrawn_at = models.DateTimeField("retiré le", null=True, blank=True)
    withdrawn_reason = models.CharField("motif du retrait", max_length=250, blank=True)
    note = models.CharField("précisions", max_length=250, blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-given_on", "-pk"]
        verbose_name = "consentement"

    def __str__(self):
        label = self.get_scope_display()
        if self.partner_id:
            label += f" ({self.partner})"
        return label

    def clean(self):
        if self.scope in (ConsentScope.SHARING, ConsentScope.REFERRAL) and not self.partner_id:
            raise ValidationError({"partner": "Un consentement au partage nomme le partenaire."})
        if self.scope not in (ConsentScope.SHARING, ConsentScope.REFERRAL) and self.partner_id:
            raise ValidationError({"partner": "Seul un consentement au partage nomme un partenaire."})
        if self.given_on and self.given_on > timezone.localdate():
            raise ValidationError({"given_on": "La date de recueil ne peut pas être dans le futur."})
