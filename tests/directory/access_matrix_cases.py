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
DIRECTORY_PUBLIC = {"directory:public_search", "directory:public_service_detail"}


def _own_draft(world):
    return {"pk": ServiceFactory(organisation=world.own, status=ServiceStatus.DRAFT).pk}


def _other_draft(world):
    return {"pk": ServiceFactory(organisation=world.other, status=ServiceStatus.DRAFT).pk}


def _own_published(world):
    return {"pk": ServiceFactory(organisation=world.own).pk}


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
    ]
