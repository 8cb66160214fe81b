from django.contrib import admin

from maillage.directory import models, services


class PhoneInline(admin.TabularInline):
    model = models.Phone
    extra = 0


class ContactInline(admin.TabularInline):
    model = models.Contact
    extra = 0


class RegularScheduleInline(admin.TabularInline):
    model = models.RegularSchedule
    extra = 0


class ScheduleExceptionInline(admin.TabularInline):
    model = models.ScheduleException
    extra = 0


class LanguageInline(admin.TabularInline):
    model = models.ServiceLanguage
    extra = 0


class AccessibilityInline(admin.TabularInline):
    model = models.ServiceAccessibility
    extra = 0


class CapacityInline(admin.TabularInline):
    model = models.ServiceCapacity
    extra = 0


class ServiceAtLocationInline(admin.TabularInline):
    model = models.ServiceAtLocation
    extra = 0
    autocomplete_fields = ["location"]


@admin.register(models.Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "status", "offer_kind", "last_verified_at"]
    list_filter = ["status", "offer_kind", "fee_kind"]
    search_fields = ["name", "organisation__name", "source_id"]
    autocomplete_fields = ["communes_served", "terms"]
    readonly_fields = ["last_verified_at", "last_verified_by", "search_text"]
    inlines = [
        ServiceAtLocationInline,
        PhoneInline,
        ContactInline,
        RegularScheduleInline,
        ScheduleExceptionInline,
        LanguageInline,
        AccessibilityInline,
        CapacityInline,
    ]

    def save_related(self, request, form, formsets, change):
        # After the inlines: the search text and the reach follow an edit made here too.
        super().save_related(request, form, formsets, change)
        services.service_reindex(form.instance)


@admin.register(models.Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["address", "commune", "organisation"]
    search_fields = ["address", "name", "commune__name"]
    autocomplete_fields = ["commune"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.service_reach_refresh(service_ids=[], location_ids=[obj.pk])  # its services, if it moved


@admin.register(models.Taxonomy)
class TaxonomyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "version"]


@admin.register(models.TaxonomyTerm)
class TaxonomyTermAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "taxonomy"]
    list_filter = ["taxonomy"]
    search_fields = ["name", "code"]
    filter_horizontal = ["mapped_terms"]
