"""The register's rows of the access matrix (tests/core/test_access_matrix.py): the register is its
manager's alone (every other role of the same organisation, and every role of another, gets 404);
the public ways in are open to everyone, for an organisation that keeps a register."""

from maillage.core.enums import Role
from tests.register.factories import RegisterEntryFactory, register_manager

MANAGERS = frozenset({Role.REGISTER_MANAGER})
REGISTER_PUBLIC = {
    "register:public_index",
    "register:public_request",
    "register:public_request_done",
    "register:public_report",
    "register:public_report_done",
    "register:paper_form",
}


def _entry(organisation_attr, **traits):
    def make(world):
        organisation = getattr(world, organisation_attr)
        return {"pk": RegisterEntryFactory(organisation=organisation, person__last_name="Matrice", **traits).pk}

    return make


def _keeper(world):
    """The own organisation, made a keeper of a register (an active register manager)."""
    register_manager(world.own)
    return {"organisation_pk": world.own.pk}


def register_cases(Case):  # noqa: N803 (the matrix's class, passed in)
    entry_pages = ("detail", "edit", "consent", "suspend", "remove", "confirm")
    cases = [
        Case("register:list", allowed=MANAGERS),
        Case("register:to_confirm", allowed=MANAGERS),
        Case("register:create", allowed=MANAGERS),
        Case("register:paper_entry", allowed=MANAGERS),
    ]
    for name in entry_pages:
        traits = {} if name == "consent" else {"active": True}
        cases.append(
            Case(
                f"register:{name}",
                kwargs=_entry("own", **traits),
                other_kwargs=_entry("other", **traits),
                allowed=MANAGERS,
            )
        )
    cases += [
        Case(
            "register:resume",
            kwargs=_entry("own", suspended=True),
            other_kwargs=_entry("other", suspended=True),
            allowed=MANAGERS,
            method="post",
            allowed_status=(302,),
        ),
        Case("register:public_index"),
        Case("register:public_request", kwargs=_keeper),
        Case("register:public_request_done", kwargs=_keeper),
        Case("register:public_report", kwargs=_keeper),
        Case("register:public_report_done", kwargs=_keeper),
        Case("register:paper_form", kwargs=_keeper, method="head"),
    ]
    return cases
