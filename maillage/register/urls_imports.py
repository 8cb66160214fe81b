"""/registre/import/: the import of transmitted lists (included from maillage/urls.py)."""

from django.urls import path

from maillage.register.views import imports

app_name = "register_import"

urlpatterns = [
    path("", imports.import_upload, name="upload"),
    path("modele.<str:fmt>", imports.import_template, name="template"),
    path("lot/<str:batch>/", imports.import_batch, name="batch"),
    path("<str:token>/", imports.import_preview, name="preview"),
    path("<str:token>/abandon/", imports.import_abandon, name="abandon"),
]
