from auditlog.models import AbstractLogEntry
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from maillage.core.enums import EPCIKind, OrganisationKind, Role
from maillage.core.validators import NoControlCharactersValidator, normalise_siret, validate_siret

# --- Territories (INSEE codes; loaded by `manage.py load_territories`) ---------------------------


class Departement(models.Model):
    code = models.CharField("code INSEE", max_length=3, unique=True)
    name = models.CharField("nom", max_length=100)
    region_code = models.CharField("code de la région", max_length=3)
    population = models.PositiveIntegerField("population municipale", null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "département"

    def __str__(self):
        return f"{self.name} ({self.code})"


class EPCI(models.Model):
    code = models.CharField("SIREN", max_length=9, unique=True)
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("nature", max_length=5, choices=EPCIKind.choices)
    population = models.PositiveIntegerField("population municipale", null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "EPCI"
        verbose_name_plural = "EPCI"

    def __str__(self):
        return self.name


class Commune(models.Model):
    KIND_COMMUNE = "commune"
    KIND_ARRONDISSEMENT = "arrondissement_municipal"
    KIND_CHOICES = [(KIND_COMMUNE, "Commune"), (KIND_ARRONDISSEMENT, "Arrondissement municipal")]

    code = models.CharField("code INSEE", max_length=5, unique=True)
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("nature", max_length=24, choices=KIND_CHOICES, default=KIND_COMMUNE)
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="arrondissements",
        verbose_name="commune (pour un arrondissement de Paris, Lyon ou Marseille)",
    )
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="communes")
    epci = models.ForeignKey(EPCI, on_delete=models.SET_NULL, null=True, blank=True, related_name="communes")
    postal_codes = models.JSONField("codes postaux", default=list, blank=True)
    population = models.PositiveIntegerField("population municipale", null=True, blank=True)

    class Meta:
        ordering = ["name", "code"]
        verbose_name = "commune"
        indexes = [models.Index(Lower("name"), name="commune_lower_name_idx")]

    def __str__(self):
        return f"{self.name} ({self.code})"


# --- Organisations, users, memberships -----------------------------------------------------------


class OrganisationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Organisation(models.Model):
    """Any actor of the local network: CCAS, CLIC, association, pharmacy… (glossary: structure)."""

    name = models.CharField("nom", max_length=200, validators=[NoControlCharactersValidator("Nom de la structure")])
    kind = models.CharField("type de structure", max_length=20, choices=OrganisationKind.choices)
    siret = models.CharField(
        "SIRET", max_length=14, blank=True, validators=[validate_siret], help_text="14 chiffres, sans espace."
    )
    email = models.EmailField("adresse électronique de contact", blank=True)
    phone = models.CharField("téléphone", max_length=20, blank=True)
    website = models.URLField("site internet", blank=True)
    address = models.CharField("adresse", max_length=250, blank=True)
    postal_code = models.CharField("code postal", max_length=5, blank=True)
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="commune du siège"
    )
    communes_served = models.ManyToManyField(
        Commune, blank=True, related_name="organisations_serving", verbose_name="communes desservies"
    )
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField("créée le", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "structure"
        constraints = [
            models.UniqueConstraint(fields=["siret"], condition=~models.Q(siret=""), name="organisation_unique_siret"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        self.siret = normalise_siret(self.siret)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("L'adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: an agent, a volunteer, a partner. Login by e-mail."""

    email = models.EmailField("adresse électronique", unique=True)
    first_name = models.CharField("prénom", max_length=150, validators=[NoControlCharactersValidator("Prénom")])
    last_name = models.CharField("nom", max_length=150, validators=[NoControlCharactersValidator("Nom")])
    phone = models.CharField("téléphone", max_length=20, blank=True)
    is_active = models.BooleanField("actif", default=True)
    is_staff = models.BooleanField("accès à l'administration technique", default=False)
    is_demo = models.BooleanField(
        "compte de démonstration",
        default=False,
        help_text="Créé par seed_demo ; refusé hors du mode développement.",
    )
    date_joined = models.DateTimeField("inscrit le", default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = "utilisateur·rice"
        constraints = [models.UniqueConstraint(Lower("email"), name="user_unique_lower_email")]

    def __str__(self):
        return self.get_full_name() or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True, organisation__is_active=True, user__is_active=True)


class Membership(models.Model):
    """A user's role in one organisation. A user may belong to several organisations."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField("créée le", default=timezone.now, editable=False)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = "appartenance"
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique_user_organisation")
        ]

    def __str__(self):
        return f"{self.user} — {self.organisation} ({self.get_role_display()})"


class MembershipInvitationQuerySet(models.QuerySet):
    def pending(self):
        """Neither accepted, declined nor withdrawn, and not expired."""
        return self.filter(
            accepted_at__isnull=True,
            declined_at__isnull=True,
            withdrawn_at__isnull=True,
            expires_at__gt=timezone.now(),
        )


class MembershipInvitation(models.Model):
    """An organisation's offer of a role to an existing account. The membership exists only once
    the account's holder accepts it, logged in (decisions.md, item 22): an administrator never
    attaches someone else's account to their organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations", verbose_name="compte invité")
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="invité·e par"
    )
    created_at = models.DateTimeField("envoyée le", default=timezone.now, editable=False)
    expires_at = models.DateTimeField("valable jusqu'au")
    accepted_at = models.DateTimeField("acceptée le", null=True, blank=True)
    declined_at = models.DateTimeField("refusée le", null=True, blank=True)
    withdrawn_at = models.DateTimeField("retirée le", null=True, blank=True)

    objects = MembershipInvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "invitation à rejoindre une structure"
        verbose_name_plural = "invitations à rejoindre une structure"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=models.Q(accepted_at__isnull=True, declined_at__isnull=True, withdrawn_at__isnull=True),
                name="invitation_one_open_per_user_organisation",
            )
        ]

    def __str__(self):
        return f"Invitation de {self.user} à {self.organisation} ({self.get_role_display()})"

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.declined_at is None
            and self.withdrawn_at is None
            and self.expires_at > timezone.now()
        )


# --- Audit ---------------------------------------------------------------------------------------


class AuditLogEntry(AbstractLogEntry):
    """One line of the audit trail: a change to a registered model, or an opening of a sensitive page.

    django-auditlog writes the changes; `core.audit` writes the openings (action ACCESS). Each line
    names the organisation the actor was working for. The table is append-only: database triggers
    refuse UPDATE and DELETE (migration 0002); only `core.audit.purge_trail` deletes old lines.
    Every new line goes through `core.audit.redact`: for a personal-data model it keeps the
    record's reference and the names of the changed fields, never their values (decisions, 15).
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=True
    )
    path = models.CharField("adresse de la page", max_length=500, blank=True)
    reason = models.TextField("motif", blank=True)
    # The person whose file the line is about (a person, or a record of their file), whoever wrote
    # it: the data-protection officer of the person's organisation sees the openings and changes
    # made by partners of the care team. A number, not a foreign key: the line outlives the file.
    subject_person_id = models.BigIntegerField("personne concernée (n°)", null=True, blank=True)
    # For an opening of a person's file: the grant's path that allowed it (core.access.grants).
    access_path = models.CharField(
        "accès par",
        max_length=20,
        blank=True,
        choices=[
            ("organisation", "structure responsable"),
            ("care_team", "équipe autour de la personne"),
            ("break_glass", "accès exceptionnel"),
            ("call_assignment", "appel attribué"),
            ("sponsorship", "parrainage"),
            ("referral", "orientation reçue"),
            ("referral_link", "lien d'orientation (partenaire sans compte)"),
        ],
    )

    class Meta(AbstractLogEntry.Meta):
        verbose_name = "entrée du journal d'audit"
        verbose_name_plural = "journal d'audit"
        indexes = [
            models.Index(fields=["organisation", "-timestamp"], name="audit_org_ts_idx"),
            models.Index(fields=["subject_person_id", "-timestamp"], name="audit_subject_ts_idx"),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionError("Le journal d'audit ne peut pas être modifié.")
        from maillage.core.audit import redact

        redact(self)
        super().save(*args, **kwargs)

    @property
    def change_summary(self) -> dict:
        """{"masked": [labels of fields whose values are not kept], "values": [(label, before, after)]}."""
        from maillage.core.audit import change_summary

        return change_summary(self)

    def delete(self, *args, **kwargs):
        raise PermissionError("Le journal d'audit ne peut pas être effacé.")


# --- Retention ---------------------------------------------------------------------------------


class RetentionRun(models.Model):
    """One application of one rule: when, how many rows, what was done."""

    rule = models.CharField("règle", max_length=100)
    description = models.TextField("règle appliquée")
    action = models.CharField("action", max_length=20)
    count = models.PositiveIntegerField("lignes traitées")
    ran_at = models.DateTimeField("le", default=timezone.now)
    dry_run = models.BooleanField("simulation", default=False)

    class Meta:
        ordering = ["-ran_at"]
        verbose_name = "application d'une règle de conservation"

    def __str__(self):
        return f"{self.rule} : {self.count} le {self.ran_at:%d/%m/%Y}"


# --- Rate limits ---------------------------------------------------------------------------------


class RateLimitCount(models.Model):
    """How many events one rate-limit key had in its current window (core.ratelimit): one row per
    key, counted up in one statement (an upsert), its window restarted when a new one begins. The
    key is a digest: no address nor e-mail is stored. Rows of past windows go by the retention rule
    « core.ratelimit.counts »."""

    key = models.CharField("clé (empreinte)", max_length=64, primary_key=True)
    window_start = models.BigIntegerField("début de la fenêtre (secondes)")
    count = models.PositiveIntegerField("demandes dans la fenêtre")
    expires_at = models.DateTimeField("fin de la fenêtre", db_index=True)

    class Meta:
        verbose_name = "compteur de limitation des demandes"

    def __str__(self):
        return f"{self.count} demandes"


class ApiKeyScope(models.TextChoices):
    """What a key opens. One scope today: the partner API (the referrals addressed to the key's
    organisation); a key never reaches the callers' API, the web pages or anything else."""

    REFERRALS = "referrals", "Orientations reçues (API des partenaires)"


class ApiKeyQuerySet(models.QuerySet):
    def in_force(self, now=None):
        """Neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class ApiKey(models.Model):
    """A personal API key (decision 60): made by a member for themselves and for one
    organisation they work for, for a partner's own software. Only a digest of the secret is kept
    (SHA-256 of a 256-bit random token); the secret is shown once, at creation. Each request
    re-checks the key (in force), the account (active) and the membership (active, a role that
    receives referrals)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys", verbose_name="titulaire")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_keys", verbose_name="structure"
    )
    name = models.CharField(
        "nom (le logiciel qui l'utilise)", max_length=100, validators=[NoControlCharactersValidator("Nom")]
    )
    scope = models.CharField("portée", max_length=20, choices=ApiKeyScope.choices, default=ApiKeyScope.REFERRALS)
    prefix = models.CharField("début de la clé", max_length=16, db_index=True, editable=False)
    secret_hash = models.CharField("empreinte", max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("créée le", default=timezone.now, editable=False)
    expires_at = models.DateTimeField("expire le")
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField("révoquée le", null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="révoquée par"
    )

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "clé d'API"
        verbose_name_plural = "clés d'API"

    def __str__(self):
        return f"Clé d'API « {self.name} »"

    def is_in_force(self, now=None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or timezone.now())
