from django import forms

from maillage.core.forms import DsfrBaseForm


class CareTeamMemberForm(DsfrBaseForm):
    email = forms.EmailField(
        label="Compte Maillage (adresse électronique)",
        required=False,
        help_text="Pour un·e professionnel·le qui utilise Maillage : il ou elle pourra ouvrir la fiche.",
    )
    name = forms.CharField(
        label="Ou nom du ou de la professionnel·le",
        required=False,
        max_length=200,
        help_text="Pour un·e professionnel·le sans compte : nom et rôle seulement.",
    )
    role = forms.CharField(
        label="Rôle auprès de la personne", max_length=150, help_text="Par exemple : infirmière SSIAD."
    )
    phone = forms.CharField(label="Téléphone", required=False, max_length=20)
    is_referent = forms.BooleanField(label="Référent·e de la situation", required=False)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("email") and not cleaned.get("name"):
            self.add_error("email", "Indiquez un compte Maillage ou le nom du ou de la professionnel·le.")
        if cleaned.get("email") and cleaned.get("name"):
            self.add_error("name", "Indiquez soit un compte Maillage, soit un nom, pas les deux.")
        return cleaned
