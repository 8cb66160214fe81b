"""The directory of local services, aligned with Open Referral HSDS 3.

HSDS → Maillage: organization → core.Organisation; service → Service; location → Location;
service_at_location → ServiceAtLocation; phone → Phone; contact → Contact; schedule →
RegularSchedule + ScheduleException; service_area → Service.communes_served; eligibility →
Service.age_min/age_max/eligibility_description + publics terms; cost_option → Service.fee_*;
language → ServiceLanguage; accessibility → ServiceAccessibility; service_capacity → ServiceCapacity;
taxonomy / taxonomy_term / attribute → Taxonomy / TaxonomyTerm / Service.terms.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone

from maillage.core.models import EPCI, Commune, Departement, Organisation, User
from maillage.core.validators import NoControlCharactersValidator
from maillage.directory import conf
from maillage.directory.enums import AccessibilityFeature, FeeKind, OfferKind, ServiceStatus, Weekday

# --- Taxonomies ----------------------------------------------------------------------------------


class Taxonomy(models.Model):
    """A managed vocabulary (ten essential needs, CLIC domains, data·inclusion thématiques…)."""

    NEEDS = "besoins-essentiels"
    DOMAINS = "domaines-clic"
    PUBLICS = "publics"
    DI_THEMATIQUES = "di-thematiques"
    DI_TYPES = "di-types-de-services"
    DI_PUBLICS = "di-publics"

    slug = models.SlugField("identifiant", max_length=50, unique=True)
    name = models.CharField("nom", max_length=200)
    description = models.TextField("description", blank=True)
    source = models.CharField("source", max_length=200, blank=True)
    version = models.CharField("version", max_length=50, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "taxonomie"

    def __str__(self):
        return self.name


class TaxonomyTerm(models.Model):
    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.CASCADE, related_name="terms")
    code = models.SlugField("code", max_length=120)
    name = models.CharField("libellé", max_length=200)
    description = models.TextField("description", blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children", verbose_name="terme parent"
    )
    position = models.PositiveIntegerField("ordre", default=0)
    mapped_terms = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="mapped_from",
        verbose_name="correspondances dans d'autres vocabulaires",
    )

    class Meta:
        ordering = ["taxonomy__slug", "position", "name"]
        verbose_name = "terme de taxonomie"
        verbose_name_plural = "termes de taxonomie"
        constraints = [models.UniqueConstraint(fields=["taxonomy", "code"], name="taxonomyterm_unique_code")]

    def __str__(self):
        return self.name


# --- Services ------------------------------------------------------------------------------------


class ServiceQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=ServiceStatus.PUBLISHED)

    def stale(self, now=None):
        """Services nobody has checked for longer than the freshness period (« à vérifier »)."""
        limit = (now or timezone.now()) - timedelta(days=conf.freshness_days())
        return self.filter(models.Q(last_verified_at__isnull=True) | models.Q(last_verified_at__lt=limit))


class Service(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="directory_services", verbose_name="structure"
    )
    name = models.CharField(
        "nom du service", max_length=200, validators=[NoControlCharactersValidator("Nom du service")]
    )
    alternate_name = models.CharField(
        "autre nom ou sigle",
        max_length=200,
        blank=True,
        validators=[NoControlCharactersValidator("Autre nom ou sigle")],
    )
    description = models.TextField("description", blank=True)
    url = models.URLField("site internet", blank=True)
    email = models.EmailField("adresse électronique", blank=True)
    status = models.CharField("état", max_length=10, choices=ServiceStatus.choices, default=ServiceStatus.DRAFT)
    offer_kind = models.CharField(
        "type d'offre", max_length=24, choices=OfferKind.choices, default=OfferKind.SPECIALISED
    )
    # Eligibility (HSDS eligibility_description, minimum_age, maximum_age)
    age_min = models.PositiveSmallIntegerField(
        "âge minimum", null=True, blank=True, validators=[MaxValueValidator(130)]
    )
    age_max = models.PositiveSmallIntegerField(
        "âge maximum", null=True, blank=True, validators=[MaxValueValidator(130)]
    )
    eligibility_description = models.TextField("conditions d'accès", blank=True)
    # Fees (HSDS cost_option, simplified)
    fee_kind = models.CharField("tarif", max_length=12, choices=FeeKind.choices, default=FeeKind.FREE)
    fee_description = models.TextField("précisions sur le tarif", blank=True)
    # Access modalities
    walk_in = models.BooleanField("sans rendez-vous", default=False)
    by_appointment = models.BooleanField("sur rendez-vous", default=False)
    on_referral_only = models.BooleanField("uniquement sur orientation", default=False)
    by_phone = models.BooleanField("par téléphone", default=False)
    application_process = models.TextField("démarche pour en bénéficier", blank=True)
    # Opening hours: the weekly spans are RegularSchedule rows (what « Ouvert maintenant » reads);
    # what a table of hours cannot say (« le 1er samedi du mois », « fermé en août ») is written here.
    hours_notes = models.TextField("précisions sur les horaires", blank=True)
    # Area served and classification
    communes_served = models.ManyToManyField(
        Commune, blank=True, related_name="directory_services_serving", verbose_name="communes desservies"
    )
    # An area a file describes in words that names no commune Maillage knows (HSDS service_area).
    area_description = models.TextField("zone desservie (précisions)", blank=True)
    terms = models.ManyToManyField(
        TaxonomyTerm, blank=True, related_name="services", verbose_name="besoins, domaines et publics"
    )
    # Origin, for import re-synchronisation
    source = models.CharField("source", max_length=50, blank=True, help_text="Par exemple « data-inclusion ».")
    source_id = models.CharField("identifiant dans la source", max_length=200, blank=True)
    # Freshness
    last_verified_at = models.DateTimeField("vérifié le", null=True, blank=True)
    last_verified_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="vérifié par"
    )
    # Search: normalised text (maillage.directory.search.document_text), kept by services.
    search_text = models.TextField("texte indexé", blank=True, editable=False)
    # The words of its names alone (search.name_text): the ranking's text tier.
    name_text = models.TextField("nom indexé", blank=True, default="", editable=False)
    created_at = models.DateTimeField("créé le", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    # Optimistic locking (core.versioning): the form carries the version it was read at.
    version = models.PositiveIntegerField("version", default=1, editable=False)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "service"
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"], condition=~models.Q(source=""), name="service_unique_source_id"
            ),
            models.CheckConstraint(
                condition=models.Q(age_min__isnull=True)
                | models.Q(age_max__isnull=True)
                | models.Q(age_min__lte=models.F("age_max")),
                name="service_age_band_ordered",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "status"], name="service_org_status_idx")]

    def __str__(self):
        return self.name

    def clean(self):
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            raise ValidationError({"age_max": "L'âge maximum doit être supérieur ou égal à l'âge minimum."})
        if self.source_id and not self.source:
            raise ValidationError({"source": "Indiquez la source de cet identifiant."})

    @property
    def is_published(self) -> bool:
        return self.status == ServiceStatus.PUBLISHED

    def needs_verification(self, now=None) -> bool:
        """« À vérifier »: never checked, or checked longer ago than the freshness period."""
        if self.last_verified_at is None:
            return True
        return self.last_verified_at < (now or timezone.now()) - timedelta(days=conf.freshness_days())

    def access_modes(self) -> list[str]:
        from maillage.directory.enums import ACCESS_MODES

        return [label for field, label in ACCESS_MODES.items() if getattr(self, field)]


class Location(models.Model):
    """A place where services are delivered (HSDS location, physical)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="directory_locations", verbose_name="structure"
    )
    name = models.CharField("nom du lieu", max_length=200, blank=True)
    address = models.CharField("adresse", max_length=250)
    address_complement = models.CharField("complément d'adresse", max_length=250, blank=True)
    postal_code = models.CharField("code postal", max_length=5, blank=True)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+", verbose_name="commune")
    latitude = models.DecimalField(
        "latitude",
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        "longitude",
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    transportation = models.TextField("comment s'y rendre", blank=True)
    services = models.ManyToManyField(
        Service, through="ServiceAtLocation", related_name="locations", verbose_name="services"
    )

    class Meta:
        ordering = ["commune__name", "address"]
        verbose_name = "lieu"

    def __str__(self):
        return f"{self.address}, {self.commune.name}"


class ServiceAtLocation(models.Model):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_at_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="service_at_locations")
    description = models.CharField("précisions", max_length=250, blank=True)

    class Meta:
        verbose_name = "service en un lieu"
        verbose_name_plural = "services en un lieu"
        constraints = [models.UniqueConstraint(fields=["service", "location"], name="serviceatlocation_unique_pair")]

    def __str__(self):
        return f"{self.service} — {self.location}"


class ServiceReach(models.Model):
    """A commune where a service is at hand: one it serves or where it is delivered, with that
    commune's EPCI and département copied beside it. The search's « local first » ranking and its
    distance filter (same commune, EPCI, département) read one index range here instead of joining
    the communes served and the places of every service at each search (bench/directory_search.py).

    Derived data, kept by `services.service_reach_refresh` whenever a service's communes served or
    places change (staff form, import); a deleted service or commune takes its rows with it."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="reach", db_index=False)
    # Copies of a commune's territories: no database constraint to check on each of the many rows a
    # refresh writes (an import's largest cost); Django still cascades the deletion of a territory.
    commune = models.ForeignKey(
        Commune, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    epci = models.ForeignKey(
        EPCI, on_delete=models.SET_NULL, null=True, related_name="+", db_index=False, db_constraint=False
    )
    departement = models.ForeignKey(
        Departement, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )

    class Meta:
        verbose_name = "commune de proximité d'un service"
        verbose_name_plural = "communes de proximité des services"
        constraints = [models.UniqueConstraint(fields=["service", "commune"], name="servicereach_unique_commune")]
        # One per proximity tier: the services near a commune, its EPCI or its département.
        indexes = [
            models.Index(fields=["commune", "service"], name="reach_commune_idx"),
            models.Index(fields=["epci", "service"], name="reach_epci_idx"),
            models.Index(fields=["departement", "service"], name="reach_departement_idx"),
        ]

    def __str__(self):
        return f"{self.service_id} → {self.commune_id}"


class Phone(models.Model):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField("numéro", max_length=20)
    description = models.CharField("précisions", max_length=200, blank=True, help_text="Par exemple « accueil ».")

    class Meta:
        ordering = ["pk"]
        verbose_name = "téléphone"

    def __str__(self):
        return self.number


class Contact(models.Model):
    """A named person to reach about the service (personal data: audited)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField("nom", max_length=200)
    title = models.CharField("fonction", max_length=200, blank=True)
    email = models.EmailField("adresse électronique", blank=True)
    phone = models.CharField("téléphone", max_length=20, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "contact"

    def __str__(self):
        return self.name


class RegularSchedule(models.Model):
    """Regular opening hours: one line per weekday and opening span (HSDS schedule, byday)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="regular_schedules")
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="regular_schedules"
    )
    weekday = models.PositiveSmallIntegerField("jour", choices=Weekday.choices)
    opens_at = models.TimeField("ouvre à")
    closes_at = models.TimeField("ferme à")

    class Meta:
        ordering = ["weekday", "opens_at"]
        verbose_name = "horaire d'ouverture"
        verbose_name_plural = "horaires d'ouverture"
        # « Ouvert maintenant »: the spans of one weekday around one time (maillage.directory.search).
        indexes = [models.Index(fields=["weekday", "opens_at", "closes_at", "service"], name="schedule_open_now_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens_at__lt=models.F("closes_at")), name="schedule_span_ordered"
            )
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"

    def clean(self):
        if self.opens_at and self.closes_at and self.opens_at >= self.closes_at:
            raise ValidationError({"closes_at": "L'heure de fermeture doit suivre l'heure d'ouverture."})


class ScheduleException(models.Model):
    """A date range when the regular hours do not hold (summer closure, bank holiday…)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="schedule_exceptions")
    start_date = models.DateField("du")
    end_date = models.DateField("au")
    is_closed = models.BooleanField("fermé", default=True)
    opens_at = models.TimeField("ouvre à", null=True, blank=True)
    closes_at = models.TimeField("ferme à", null=True, blank=True)
    description = models.CharField(
        "motif", max_length=200, blank=True, help_text="Par exemple « fermeture estivale »."
    )

    class Meta:
        ordering = ["start_date"]
        verbose_name = "exception d'horaires"
        verbose_name_plural = "exceptions d'horaires"
        # « Ouvert maintenant »: the exceptions covering today, most of them long past (maillage.directory.search).
        indexes = [models.Index(fields=["end_date", "start_date", "service"], name="schedule_exception_dates_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_date__lte=models.F("end_date")), name="schedule_exception_dates_ordered"
            )
        ]

    def __str__(self):
        return f"{self.description or 'Exception'} ({self.start_date:%d/%m/%Y}–{self.end_date:%d/%m/%Y})"

    def clean(self):
        if self.start_date and self.end_date and self.start_date > self.end_date:
            raise ValidationError({"end_date": "La date de fin doit être postérieure ou égale à la date de début."})


class ServiceLanguage(models.Model):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="languages")
    code = models.CharField("code de langue (ISO 639)", max_length=8, help_text="Par exemple fr, en, ar, fsl (LSF).")
    name = models.CharField("langue", max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = "langue parlée"
        verbose_name_plural = "langues parlées"
        constraints = [models.UniqueConstraint(fields=["service", "code"], name="servicelanguage_unique_code")]

    def __str__(self):
        return self.name


class ServiceAccessibility(models.Model):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="accessibility")
    feature = models.CharField("aménagement", max_length=20, choices=AccessibilityFeature.choices)
    details = models.CharField("précisions", max_length=250, blank=True)

    class Meta:
        ordering = ["feature"]
        verbose_name = "accessibilité"
        verbose_name_plural = "accessibilité"
        constraints = [
            models.UniqueConstraint(fields=["service", "feature"], name="serviceaccessibility_unique_feature")
        ]
        # The accessibility filter and facet: services by feature (maillage.directory.search).
        indexes = [models.Index(fields=["feature", "service"], name="accessibility_feature_idx")]

    def __str__(self):
        return self.get_feature_display()


class ServiceCapacity(models.Model):
    """How many places, of which kind (HSDS service_capacity): e.g. places open to disabled people."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="capacities")
    unit = models.CharField(
        "unité", max_length=100, help_text="Par exemple « places ouvertes aux personnes handicapées »."
    )
    maximum = models.PositiveIntegerField("capacité totale", null=True, blank=True)
    available = models.PositiveIntegerField("places disponibles", null=True, blank=True)
    description = models.CharField("précisions", max_length=250, blank=True)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    class Meta:
        ordering = ["unit"]
        verbose_name = "capacité"

    def __str__(self):
        return f"{self.available if self.available is not None else '?'} / {self.maximum or '?'} {self.unit}"

    def clean(self):
        if self.maximum is not None and self.available is not None and self.available > self.maximum:
            raise ValidationError({"available": "Les places disponibles ne peuvent dépasser la capacité totale."})


# --- Import and export (maillage.directory.interop) ----------------------------------------------


class ImportedOrganisationRef(models.Model):
    """Which organisation an external file's organisation identifier designates (HSDS organization.id,
    data·inclusion structure id), so that a re-import updates the same organisation. `owned` is true
    when the import created the organisation: only then may a later import change its details."""

    source = models.CharField("source", max_length=50)
    source_id = models.CharField("identifiant dans la source", max_length=200)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="import_refs", verbose_name="structure"
    )
    owned = models.BooleanField("créée par l'import", default=False)

    class Meta:
        verbose_name = "référence de structure importée"
        verbose_name_plural = "références de structures importées"
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="importedorganisationref_unique_source_id")
        ]

    def __str__(self):
        return f"{self.source}:{self.source_id} → {self.organisation_id}"


class ImportedLocationRef(models.Model):
    """Which place an external file's location identifier designates (HSDS location.id)."""

    source = models.CharField("source", max_length=50)
    source_id = models.CharField("identifiant dans la source", max_length=200)
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="import_refs", verbose_name="lieu")

    class Meta:
        verbose_name = "référence de lieu importé"
        verbose_name_plural = "références de lieux importés"
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="importedlocationref_unique_source_id")
        ]

    def __str__(self):
        return f"{self.source}:{self.source_id} → {self.location_id}"


class ImportJob(models.Model):
    """One import of a file into an organisation's directory entries, run in the background."""

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        RUNNING = "running", "En cours"
        SUCCEEDED = "succeeded", "Terminé"
        REFUSED = "refused", "Refusé"
        FAILED = "failed", "Échec"
        # Probable duplicates found: nothing written until the user says, for each, skip or link.
        REVIEW = "review", "À confirmer"
        UNDONE = "undone", "Annulé"

    class Format(models.TextChoices):
        HSDS = "hsds", "Open Referral HSDS 3"
        DATAINCLUSION = "datainclusion", "data·inclusion (schéma v1)"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="directory_import_jobs", verbose_name="structure"
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="lancé par"
    )
    format = models.CharField("format", max_length=20, choices=Format.choices)
    source = models.CharField("source", max_length=50, blank=True)
    file = models.FileField("fichier", upload_to="directory/imports/%Y/%m/")
    original_name = models.CharField("nom du fichier", max_length=255, blank=True)
    status = models.CharField("état", max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField("avancement (%)", default=0, validators=[MaxValueValidator(100)])
    stage = models.CharField("étape", max_length=100, blank=True)
    created = models.PositiveIntegerField("services créés", default=0)
    updated = models.PositiveIntegerField("services mis à jour", default=0)
    errors = models.JSONField("erreurs", default=list, blank=True)
    # What the import left aside without refusing the file (ImportReport.warnings), same shape as errors.
    warnings = models.JSONField("avertissements", default=list, blank=True)
    # The file's services that look like services already in the directory (interop.duplicates), and
    # what the user decided for each: {file identifier: "skip" | "new" | "link:<service id>"}.
    duplicates = models.JSONField("doublons probables", default=list, blank=True)
    decisions = models.JSONField("décisions sur les doublons", default=dict, blank=True)
    # What undoing the import needs (interop.undo): the records it created, the state before of those it changed.
    undo = models.JSONField("de quoi annuler l'import", default=dict, blank=True, editable=False)
    undone_at = models.DateTimeField("annulé le", null=True, blank=True)
    undone_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="annulé par"
    )
    created_at = models.DateTimeField("créé le", default=timezone.now, editable=False)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "import de l'annuaire"
        verbose_name_plural = "imports de l'annuaire"

    def __str__(self):
        return f"{self.get_format_display()} — {self.original_name or self.file.name}"

    @property
    def is_finished(self) -> bool:
        """Nothing more to wait for (the page stops polling): done, refused, failed, undone or waiting for
        the user's decisions on the duplicates."""
        return self.status not in {self.Status.PENDING, self.Status.RUNNING}


# --- Search index version ------------------------------------------------------------------------


class SearchIndexChange(models.Model):
    """A change to what the search's in-memory index reads (search/index.py): services, their terms,
    accessibility, reach, schedules and organisations. Written by database triggers only (migration
    0008), never by the application, so that no write path can forget it:
    - PostgreSQL: one row per writing statement (statement-level triggers); no shared row to lock,
      so concurrent writers (an import and a staff edit) never wait on each other because of it;
    - SQLite (one writer at a time): a single row whose `value` each changed row rewrites at random.
    The index's version is (highest id, number of rows, highest value): it changes with every
    committed write, whatever the order of commits. Old rows go after a week (retention rule
    `directory.search_index.changes`)."""

    value = models.CharField(max_length=36, blank=True)
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        verbose_name = "changement de l'index de recherche"
        verbose_name_plural = "changements de l'index de recherche"

    def __str__(self):
        return f"{self.pk} ({self.created_at})"
