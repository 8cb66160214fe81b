"""The casework app's rows of the access matrix (tests/core/test_access_matrix.py), for core to merge:

    from tests.casework.access_matrix_cases import casework_requests_cases
    CASES += casework_requests_cases(Case)

Not a test module itself (tests/core is owned by the core team).
"""

from maillage.core.enums import Role
from tests.casework.factories import RequestFactory
from tests.people.factories import PersonFactory

# --- Reception, requests and the person's timeline (casework/views/reception.py, timeline.py) -----

# Roles that read persons' files (core.access Perm.VIEW_PERSON) and those that change them.
REQUEST_READERS = frozenset({Role.RECEPTION_AGENT, Role.COORDINATOR, Role.REGISTER_MANAGER, Role.DIRECTOR, Role.DPO})
REQUEST_LOGGERS = frozenset({Role.RECEPTION_AGENT, Role.COORDINATOR, Role.REGISTER_MANAGER})


def _request(organisation_attr):
    def make(world):
        organisation = getattr(world, organisation_attr)
        return {"pk": RequestFactory(organisation=organisation, person__last_name="Matrice").pk}

    return make


def _person(organisation_attr):
    def make(world):
        return {"pk": PersonFactory(organisation=getattr(world, organisation_attr), last_name="Matrice").pk}

    return make


def casework_requests_cases(Case):  # noqa: N803 — the matrix's Case class, passed in to avoid an import cycle
    return [
        Case("casework:reception", allowed=REQUEST_LOGGERS),
        Case("casework:reception_persons", allowed=REQUEST_LOGGERS),
        Case("casework:reception_services", allowed=REQUEST_LOGGERS),
        Case("casework:request_list", allowed=REQUEST_READERS),
        Case(
            "casework:request_detail",
            kwargs=_request("own"),
            other_kwargs=_request("other"),
            allowed=REQUEST_READERS,
        ),
        Case("casework:timeline", kwargs=_person("own"), other_kwargs=_person("other"), allowed=REQUEST_READERS),
        # Issue 11: the draft kept across « Nouvelle personne », the partner search, the call-backs,
        # a request edited and closed — the roles that log requests, in their own organisation.
        Case(
            "casework:reception_draft",
            allowed=REQUEST_LOGGERS,
            method="post",
            allowed_status=(302,),
            data={"notes": "Rappeler la fille"},
        ),
        Case("casework:reception_partners", allowed=REQUEST_LOGGERS),
        Case("casework:callbacks", allowed=REQUEST_LOGGERS),
        Case(
            "casework:request_edit",
            kwargs=_request("own"),
            other_kwargs=_request("other"),
            allowed=REQUEST_LOGGERS,
        ),
        Case(
            "casework:request_close",
            kwargs=_request("own"),
            other_kwargs=_request("other"),
            allowed=REQUEST_LOGGERS,
        ),
    ]
