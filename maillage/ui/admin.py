from django import forms
from django.contrib import admin
from django.db import models

from maillage.ui.logos import logo_content_type
from maillage.ui.models import SiteIdentity


def _formfield(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class SiteIdentityAdminForm(forms.ModelForm):
    logo_file = forms.FileField(
        label="Logo",
        required=False,
        help_text="PNG, JPEG, WebP ou SVG, 200 Ko au plus ; affiché sur fond blanc, 60 pixels de haut.",
    )
    remove_logo = forms.BooleanField(label="Retirer le logo", required=False)

    class Meta:
        model = SiteIdentity
        fields = ["name", "primary_colour", "legal_notice_url", "personal_data_url", "accessibility_url"]
        formfield_callback = _formfield

    def clean_logo_file(self):
        upload = self.cleaned_data.get("logo_file")
        if upload:
            data = upload.read()
            self.cleaned_data["logo_content_type"] = logo_content_type(data)
            return data
        return None

    def save(self, commit=True):
        identity = super().save(commit=False)
        if self.cleaned_data.get("remove_logo"):
            identity.logo, identity.logo_content_type = None, ""
        elif self.cleaned_data.get("logo_file"):
            identity.logo = self.cleaned_data["logo_file"]
            identity.logo_content_type = self.cleaned_data["logo_content_type"]
        if commit:
            identity.save()
        return identity


@admin.register(SiteIdentity)
class SiteIdentityAdmin(admin.ModelAdmin):
    form = SiteIdentityAdminForm
    list_display = ["__str__", "primary_colour", "updated_at"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return not SiteIdentity.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
