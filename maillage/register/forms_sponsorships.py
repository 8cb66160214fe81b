"""Forms of the sponsorship pages (register manager)."""

from django import forms

from maillage.casework.forms import refresh_dsfr
from maillage.core.forms import DsfrBaseForm
from maillage.core.models import User
from maillage.register.enums import EntryStatus
from maillage.register.models import RegisterEntry, Sponsorship
from maillage.register.services.sponsorships import possible_sponsors

EVERY_DAYS_HELP = "De 1 (un appel par jour) à 90 jours. Une fois par semaine : 7."


def _entry_label(entry: RegisterEntry) -> str:
    """The person's name, and their year of birth to tell two namesakes apart."""
    person = entry.person
    if person.birth_date:
        return f"{person.full_name} (année de naissance {person.birth_date:%Y})"
    return person.full_name


class SponsorshipCreateForm(DsfrBaseForm):
    entry = forms.ModelChoiceField(
        label="Personne parrainée",
        queryset=RegisterEntry.objects.none(),
        help_text="Les personnes inscrites au registre qui n'ont pas encore de parrain ou de marraine.",
        error_messages={
            "required": "Choisissez la personne parrainée.",
            "invalid_choice": "Choisissez une personne inscrite au registre, sans parrain ni marraine.",
        },
    )
    volunteer = forms.ModelChoiceField(
        label="Bénévole (parrain ou marraine)",
        queryset=User.objects.none(),
        help_text="Les bénévoles de la structure qui peuvent appeler.",
        error_messages={
            "required": "Choisissez le ou la bénévole.",
            "invalid_choice": "Choisissez un·e bénévole de la structure qui peut appeler.",
        },
    )
    every_days = forms.IntegerField(
        label="Un appel tous les (jours)",
        min_value=1,
        max_value=90,
        initial=7,
        help_text=EVERY_DAYS_HELP,
        error_messages={
            "required": "Indiquez le nombre de jours entre deux appels.",
            "invalid": "Indiquez un nombre entier de jours.",
            "min_value": "La fréquence va d'un appel par jour à un appel tous les 90 jours.",
            "max_value": "La fréquence va d'un appel par jour à un appel tous les 90 jours.",
        },
    )
    note = forms.CharField(
        label="Précisions",
        max_length=250,
        required=False,
        help_text="Par exemple : préfère être appelée le matin. Aucune donnée de santé.",
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = (
            RegisterEntry.objects.filter(organisation=organisation, status=EntryStatus.ACTIVE)
            .exclude(pk__in=Sponsorship.objects.filter(ended_on__isnull=True).values("entry_id"))
            .select_related("person")
            .order_by("person__last_name", "person__first_names", "pk")
        )
        self.fields["entry"].label_from_instance = _entry_label
        sponsors = possible_sponsors(organisation)
        self.fields["volunteer"].queryset = User.objects.filter(pk__in=[u.pk for u in sponsors]).order_by(
            "last_name", "first_name", "pk"
        )
        self.fields["volunteer"].label_from_instance = lambda user: user.get_full_name() or user.email
        refresh_dsfr(self)


class SponsorshipFrequencyForm(DsfrBaseForm):
    every_days = forms.IntegerField(
        label="Un appel tous les (jours)",
        min_value=1,
        max_value=90,
        help_text=EVERY_DAYS_HELP,
        error_messages=SponsorshipCreateForm.base_fields["every_days"].error_messages,
    )
    spacing_announced_on = forms.DateField(
        label="La personne a déjà été prévenue le (facultatif)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=(
            "Pour espacer les appels seulement, si la personne a été prévenue autrement qu'au téléphone. "
            "Laissez vide : l'annonce sera faite lors du prochain appel."
        ),
        error_messages={"invalid": "Indiquez une date valide, par exemple 05/12/2026."},
    )
