"""Where households are computed: inline, in a local process pool (chunks of inputs read by the
caller), or on a Dask cluster (partitions of the file, each read, computed and stored by the
worker that receives its key: see `services.partition_compute`).

The TaxBenefitSystem is loaded once per worker process (`rules.load_tax_benefit_system` is
cached per process)."""

import contextlib
import ctypes
import datetime as dt
import importlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context

from justedroit import rules
from justedroit.rules.situation import HouseholdInput


def compute_chunk(households: Sequence[HouseholdInput], month: dt.date):
    """Runs in a worker: plain data in, plain data out (amounts only: intermediate values are
    for explanations, computed one household at a time)."""
    return rules.compute_month(households, month, with_intermediates=False)


# The households of a local run, set before the pool forks: workers read their slice from the
# memory they inherited instead of receiving it pickled (which cost more than the computation).
_FORKED_INPUTS: Sequence[HouseholdInput] = ()


def compute_slice(start: int, stop: int, month: dt.date):
    return compute_chunk(_FORKED_INPUTS[start:stop], month)


@contextlib.contextmanager
def forked_inputs(inputs: Sequence[HouseholdInput]) -> Iterator[None]:
    global _FORKED_INPUTS
    previous, _FORKED_INPUTS = _FORKED_INPUTS, inputs
    try:
        yield
    finally:
        _FORKED_INPUTS = previous


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _prepare_worker(parent: int) -> None:
    """A worker (about 200 MB) must not outlive its run: it dies with its parent, even one
    killed with SIGKILL, and leaves SIGINT and SIGTERM to the parent, which ends the pool."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    else:
        threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent died before the worker could ask
        os._exit(1)
    rules.load_tax_benefit_system()


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


@contextlib.contextmanager
def _process_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A fork pool that, when its caller fails or is interrupted, stops at once: pending chunks
    are cancelled and the workers terminated, rather than waited for."""
    # fork: workers inherit the loaded code; they touch no database connection.
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=get_context("fork"),
        initializer=_prepare_worker,
        initargs=(os.getpid(),),
    )
    try:
        yield pool
    except BaseException:
        processes = list((pool._processes or {}).values())  # terminate_workers() from 3.14
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        for process in processes:
            process.join()
        raise
    pool.shutdown(wait=True)


class InlineExecutor(Executor):
    """Runs each task at once in the calling process: for small batches, where starting worker
    processes (and loading the TaxBenefitSystem in each) costs more than the work."""

    def submit(self, fn, /, *args, **kwargs):
        future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as error:  # handed to the caller through the future, as pools do
            future.set_exception(error)
        return future


@contextlib.contextmanager
def executor(kind: str = "local", *, workers: int | None = None) -> Iterator[Executor]:
    if kind == "inline":
        yield InlineExecutor()
    elif kind == "local":
        with _process_pool(workers or os.cpu_count() or 1) as pool:
            yield pool
    else:
        raise ValueError(f"Exécuteur inconnu « {kind} » : inline ou local.")


def computed(
    inputs: Sequence[HouseholdInput],
    month: dt.date,
    kind: str = "local",
    workers: int | None = None,
    chunk: int = 5_000,
):
    """(results, errors) per chunk of `inputs`, computed inline or by a local pool."""
    bounds = [(start, min(start + chunk, len(inputs))) for start in range(0, len(inputs), chunk)]
    if not bounds:
        return
    with forked_inputs(inputs), executor(kind, workers=workers) as pool:
        starts, stops = zip(*bounds, strict=True)
        yield from pool.map(compute_slice, starts, stops, [month] * len(bounds))


@dataclass(frozen=True)
class Partition:
    """The key a Dask worker receives (`services.partition_compute`): which households (ids in
    [start, stop)), which month as known when, and, for a payment run, the run to store them
    under. Defined here, not in `services`: a worker unpickles it before Django is set up."""

    month: dt.date
    as_of: dt.datetime
    start: int
    stop: int
    run_id: int | None = None  # None: a dry run
    withheld: tuple[int, ...] = ()
    after_store: str | None = None  # dotted path of an `AfterStore`


SCHEDULER_TIMEOUT = 10  # seconds to reach a Dask scheduler before giving up


class SchedulerUnreachable(Exception):
    """The Dask scheduler did not answer: nothing was computed nor paid."""


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, workers: int | None = None) -> Iterator:
    """A client of the Dask scheduler at `scheduler` (tcp://HOST:PORT), or of a cluster of
    `workers` local processes started for the block and stopped with it."""
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout=SCHEDULER_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as error:
            raise SchedulerUnreachable(
                f"L'ordonnanceur Dask {scheduler} ne répond pas ({type(error).__name__}) : rien "
                "n'a été calculé ni payé. Vérifiez qu'il est démarré (« dask scheduler ») et "
                "joignable depuis cette machine, puis relancez la commande."
            ) from None
        with client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=workers or 2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def in_django(service: str, /, *args, **kwargs):
    """Runs in a Dask worker: the service named by its dotted path, Django set up first (once per
    worker process, from the worker's environment: DJANGO_SETTINGS_MODULE, DATABASE_URL).

    Services are named rather than pickled: unpickling one would import Django models before
    Django is set up. A worker started with `dask worker` needs nothing more than this package
    and the environment."""
    import django
    from django.apps import apps
    from django.db import close_old_connections

    if not apps.ready:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "justedroit.settings")
        django.setup()
    close_old_connections()  # a connection a failed task left broken is not reused
    module, name = service.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)(*args, **kwargs)
