"""The directory's rows of the access matrix (tests/core/test_access_matrix.py), for core to merge:

    from tests.directory.access_matrix_cases import DIRECTORY_PUBLIC, directory_cases
    CASES += directory_cases(Case)
    PUBLIC |= DIRECTORY_PUBLIC

Not a test module itself (tests/core is owned by the core team).
"""

from maillage.core.enums import Role
from maillage.directory.enums import ServiceStatus
from tests.directory.factories import ServiceFactory

EDITORS = frozenset({Role.ADMIN, Role.COORDINATOR, Role.RECEPTION_AGENT, Role.PARTNER})
DIRECTORY_PUBLIC = {
    "directory:public_search",
    "directory:public_service_detail",
    "directory:public_search_print",
    "directory:public_search_send",
    "directory:public_search_selection",
    "api:docs",
    "api:openapi",
    "api:service_list",
    "api:service_detail",
    "api:organization_list",
    "api:organization_detail",
    "api:taxonomy_list",
    "api:taxonomy_term_list",
}


def _own_draft(world):
    return {"pk": ServiceFactory(organisation=world.own, status=ServiceStatus.DRAFT).pk}


def _other_draft(world):
    return {"pk": ServiceFactory(organisation=world.other, status=ServiceStatus.DRAFT).pk}


def _own_published(world):
    return {"pk": ServiceFactory(organisation=world.own).pk}


def _own_organisation_published(world):
    ServiceFactory(organisation=world.own)
    return {"pk": world.own.pk}


def _other_organisation(world):
    """Another organisation with only a draft: absent from the public API."""
    ServiceFactory(organisation=world.other, status=ServiceStatus.DRAFT)
    return {"pk": world.other.pk}


def directory_cases(Case):  # noqa: N803 — the matrix's Case class, passed in to avoid an import cycle
    return [
        Case("directory:service_list"),
        Case("directory:search"),
        Case("directory:service_create", allowed=EDITORS),
        Case("directory:service_detail", kwargs=_own_draft, other_kwargs=_other_draft),
        Case("directory:service_edit", kwargs=_own_draft, other_kwargs=_other_draft, allowed=EDITORS),
        Case(
            "directory:service_verify",
            kwargs=_own_draft,
            other_kwargs=_other_draft,
            allowed=EDITORS,
            method="post",
            allowed_status=(302,),
        ),
        Case("directory:public_search"),
        Case("directory:public_service_detail", kwargs=_own_published, other_kwargs=_other_draft),
        # The PDFs are binary: HEAD (same view, empty body) lets the matrix read the answer.
        Case("directory:search_print", method="head"),
        Case("directory:search_send"),
        Case("directory:public_search_print", method="head"),
        Case("directory:public_search_send"),
        # Ticking a result (htmx): a POST that answers the selection's summary; ids are checked when building.
        Case("directory:search_selection", method="post", data={"toggle": "1", "service": "1"}),
        Case("directory:public_search_selection", method="post", data={"toggle": "1", "service": "1"}),
        Case("api:docs"),
        Case("api:openapi"),
        Case("api:service_list"),
        Case("api:service_detail", kwargs=_own_published, other_kwargs=_other_draft),
        Case("api:organization_list"),
        Case("api:organization_detail", kwargs=_own_organisation_published, other_kwargs=_other_organisation),
        Case("api:taxonomy_list"),
        Case("api:taxonomy_term_list"),
        # Import and export (maillage.directory.interop)
        Case("directory:interop", allowed=EDITORS),
        Case("directory:import_job", kwargs=_own_import_job, other_kwargs=_other_import_job, allowed=EDITORS),
        Case("directory:export", kwargs=lambda w: {"fmt": "hsds-json"}, allowed=EDITORS),
        # A job that waits for no decision and cannot be undone: the allowed get a message and go back to it.
        Case(
            "directory:import_decide",
            kwargs=_own_import_job,
            other_kwargs=_other_import_job,
            allowed=EDITORS,
            method="post",
            allowed_status=(302,),
        ),
        Case(
            "directory:import_cancel",
            kwargs=_own_import_job,
            other_kwargs=_other_import_job,
            allowed=EDITORS,
            method="post",
            allowed_status=(302,),
        ),
        # The service form's search list of communes: public data, for every member.
        Case("directory:commune_suggestions"),
    ]


def _import_job(organisation):
    from maillage.directory.models import ImportJob

    return ImportJob.objects.create(organisation=organisation, format="hsds", file="directory/imports/essai.json")


def _own_import_job(world):
    return {"pk": _import_job(world.own).pk}


def _other_import_job(world):
    return {"pk": _import_job(world.other).pk}
