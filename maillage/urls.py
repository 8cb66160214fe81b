from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django_otp.admin import OTPAdminSite

# The technical administration needs the second factor too.
admin.site.__class__ = OTPAdminSite
admin.site.site_header = "Maillage — administration technique"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("maillage.core.urls")),
    path("", include("maillage.ui.urls")),
    path("annuaire/", include("maillage.directory.urls")),
    path("registre/import/", include("maillage.register.urls_imports")),
    path("", include("maillage.people.urls")),
    path("api/v1/", include("maillage.register.api_urls")),  # before the directory's: its last pattern is a 404
    path("api/v1/", include("maillage.referrals.api_urls")),  # the partner API, before the directory's too
    path("api/v1/", include("maillage.directory.api_urls")),
    path("", include("maillage.casework.urls")),
    path("", include("maillage.referrals.urls")),
    path("registre/", include("maillage.register.urls")),
    path("crises/", include("maillage.register.urls_crises")),
    path("benevoles/", include("maillage.volunteers.urls")),
    path("parrainages/", include("maillage.register.urls_sponsorships")),
    path("campagnes/", include("maillage.register.urls_campaigns")),
    path("appels/", include("maillage.register.urls_calls")),
]

handler400 = "maillage.core.views.errors.bad_request"
handler403 = "maillage.core.views.errors.permission_denied"
handler404 = "maillage.core.views.errors.page_not_found"
handler500 = "maillage.core.views.errors.server_error"

if settings.DEBUG:
    from django.views.defaults import page_not_found

    urlpatterns += [path("404/", page_not_found, {"exception": Exception()})]
