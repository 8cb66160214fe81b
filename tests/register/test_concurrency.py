"""Correctness under load (issue 13): 100 callers asking for their next call at the same moment never
get the same call, and no outcome is lost when many are posted at once.

Each client is a thread with its own database connection (Django's connections are per thread),
released by a barrier so that they all ask together, against a campaign whose calls all wait in the
shared pool (no dispatch): the worst case for `next_call`.

- **PostgreSQL**: `next_call` takes a pool call with `SELECT … FOR UPDATE OF call SKIP LOCKED`: a
  call locked by one transaction is skipped by the others, which take the next free one, without
  waiting; a call taken just before is re-checked after the lock and no longer matches (assigned).
  Outcomes lock their call's row (`SELECT … FOR UPDATE`): two posts on one call are recorded one after
  the other, the second seeing the first (tries, version, idempotency key). The 100 clients are 100
  threads; the server of the test machine allows 100 connections in all (`max_connections`), shared
  with the test's own connection and other sessions, so at most as many queries run at once as there
  are connections free (a semaphore, each client closing its connection after each operation).
- **SQLite** (decisions: `transaction_mode` IMMEDIATE, WAL): `FOR UPDATE` does not exist there; each
  transaction takes the database's single write lock at `BEGIN`, so the writers queue and are served
  one after the other (each waits up to Python's `sqlite3` busy timeout, 5 s by default, for the lock).
  The same guarantees hold, by serialisation rather than row locks; the same test runs with 10 clients.
"""

import threading
from collections import Counter

import pytest
from django.db import connection

from maillage.core.enums import Role
from maillage.register.enums import CallStatus, Outcome
from maillage.register.models import Call, CallAttempt
from maillage.register.services import calls, campaigns
from tests.register import calls_world as cw

pytestmark = pytest.mark.django_db(transaction=True)

IS_PG = connection.vendor == "postgresql"
CLIENTS = 100 if IS_PG else 10


def _free_connections() -> int:
    """Connections PostgreSQL may still open (reserved ones and a margin for the rest of the machine
    left aside); SQLite has no such limit."""
    if not IS_PG:
        return CLIENTS
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int "
            "- (SELECT count(*) FROM pg_stat_activity)"
        )
        return max(4, cursor.fetchone()[0] - 10)


def _run(clients: int, work):
    """Run `work(i)` in `clients` threads released together; each thread's errors are re-raised."""
    barrier = threading.Barrier(clients, timeout=60)
    gate = threading.BoundedSemaphore(min(clients, _free_connections()))
    errors = []

    def run(i):
        try:
            barrier.wait()
            work(i, gate)
        except BaseException as error:  # noqa: BLE001 — reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors[:3]


def _in_gate(gate, function, **kwargs):
    with gate:
        try:
            return function(**kwargs)
        finally:
            connection.close()


def test_simultaneous_next_calls_never_give_one_call_to_two_callers():
    w = cw.world(callers=CLIENTS, role=Role.VOLUNTEER)
    for _ in range(3 * CLIENTS):
        cw.entry(w)
    campaign = cw.open_campaign(w, callers=[])  # nobody at dispatch: every call waits in the pool
    campaigns.campaign_set_callers(actor=w.manager, campaign=campaign, callers=w.callers)
    assert campaign.calls.filter(assigned_to__isnull=True).count() == 3 * CLIENTS
    given = [[] for _ in range(CLIENTS)]

    def work(i, gate):
        caller = w.callers[i]
        while True:
            call = _in_gate(gate, campaigns.next_call, caller=caller, campaign=campaign)
            if call is None:
                return
            given[i].append(call.pk)
            _in_gate(gate, calls.call_record_outcome, actor=caller, call=call, outcome=Outcome.REACHED_FINE)

    _run(CLIENTS, work)
    counts = Counter(pk for taken in given for pk in taken)
    assert len(counts) == 3 * CLIENTS and set(counts.values()) == {1}, "un appel donné à deux appelants"
    owners = dict(Call.objects.values_list("pk", "outcome_by"))
    assert all(owners[pk] == w.callers[i].pk for i, taken in enumerate(given) for pk in taken)
    assert set(Call.objects.values_list("status", flat=True)) == {CallStatus.DONE}
    assert CallAttempt.objects.count() == 3 * CLIENTS


def test_simultaneous_outcomes_are_each_recorded_exactly_once():
    """Five clients per call post tries of the same call at once, each twice with its own key (an
    answer lost, sent again): every try is recorded once, none overwritten, none lost."""
    per_call = 5
    w = cw.world(callers=CLIENTS // per_call)
    for _ in range(CLIENTS // per_call):
        cw.entry(w)
    campaign = cw.open_campaign(w, max_attempts=per_call + 1)
    call_of = {c.assigned_to_id: c for c in campaign.calls.all()}
    assert len(call_of) == CLIENTS // per_call

    def work(i, gate):
        caller = w.callers[i % len(w.callers)]
        for _ in range(2):
            _in_gate(
                gate,
                calls.call_record_outcome,
                actor=caller,
                call=call_of[caller.pk],
                outcome=Outcome.NOT_REACHED,
                idempotency_key=f"client-{i}",
            )

    _run(CLIENTS, work)
    for call in Call.objects.all():
        assert (call.attempts, call.version, call.status) == (per_call, per_call + 1, CallStatus.RETRY)
        assert sorted(call.tries.values_list("idempotency_key", flat=True)) == sorted(
            f"client-{i}" for i in range(CLIENTS) if w.callers[i % len(w.callers)].pk == call.assigned_to_id
        )
    assert CallAttempt.objects.count() == CLIENTS
