"""Agents taking one task of a worklist at the same instant (PostgreSQL: real concurrent
sessions): exactly one gets it, the others are told who has it."""

import threading

from django.core.exceptions import ValidationError
from django.db import connections

from justedroit.channels import perms
from justedroit.channels.models import CallbackRequest
from justedroit.channels.services import calls
from justedroit.core import services
from justedroit.core.models import AuditEvent
from justedroit.core.roles import Role
from tests.concurrent_sessions import MARKS

AGENTS = 8
ROUNDS = 5  # without the lock, a round seldom ends with one winner only

pytestmark = MARKS


def test_agents_taking_one_task_at_once_exactly_one_gets_it(household, make_user):
    agents = [make_user(Role.CASE_WORKER, username=f"agent-{n}") for n in range(AGENTS)]
    for _ in range(ROUNDS):
        callback = calls.callback_request_create(
            phone="0549000000", reason="payment", household=household, acting_user=None
        )
        barrier = threading.Barrier(AGENTS)
        results: dict[str, str] = {}

        def take(agent, callback=callback, barrier=barrier, results=results):
            try:
                barrier.wait(timeout=60)  # a stuck worker breaks the barrier, not the suite
                services.task_assign(
                    task=callback,  # as each agent's page loaded it: free
                    agent=agent,
                    acting_user=agent,
                    eligible=perms.can_complete_callback,
                    may_reassign=False,
                    household_number=household.number,
                )
                results[agent.username] = "ok"
            except ValidationError as error:
                results[agent.username] = error.messages[0]
            except Exception as error:  # recorded, so that the assertions below see it
                results[agent.username] = f"unexpected {error!r}"
            finally:
                connections.close_all()

        threads = [threading.Thread(target=take, args=(agent,)) for agent in agents]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        winners = [name for name, outcome in results.items() if outcome == "ok"]
        assert len(results) == AGENTS and len(winners) == 1, results
        holder = CallbackRequest.objects.get(pk=callback.pk).assigned_to
        assert holder.username == winners[0]
        refusal = f"Cette tâche est déjà attribuée à {holder.username}."
        assert {o for o in results.values() if o != "ok"} == {refusal}, results
        audited = AuditEvent.objects.filter(
            object_type="channels.CallbackRequest", object_id=str(callback.pk), action="update"
        )
        assert list(audited.values_list("actor__username", flat=True)) == winners
