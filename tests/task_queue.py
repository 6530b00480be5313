"""The task queue inside a test. `run_ready_tasks` runs every task that is due through the code
`db_worker` runs for each one (django-tasks-db's `Worker.run_task`), without the worker's polling
loop: that loop closes "stale" connections, which would drop the test's own transaction."""

import datetime as dt

from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

WORKER = Worker(
    queue_names=["*"],
    interval=0,
    batch=True,
    backend_name="default",
    startup_delay=False,
    max_tasks=None,
    worker_id="test-worker",
    excluded_queue_names=[],
)


def run_ready_tasks() -> int:
    ran = 0
    while (result := DBTaskResult.objects.ready().get_locked()) is not None:
        result.claim(WORKER.worker_id)
        WORKER.run_task(result)
        ran += 1
    return ran


def time_passes() -> int:
    """Every retry waiting for its backoff becomes due (as if its delay had run out)."""
    return DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(
        run_after=timezone.now() - dt.timedelta(seconds=1)
    )


def crashed_tasks() -> list[str]:
    """Tasks that raised: sending must record failures on the message, never crash the task."""
    return [
        f"{r.task_path}: {r.exception_class_path}"
        for r in DBTaskResult.objects.filter(status=TaskResultStatus.FAILED)
    ]
