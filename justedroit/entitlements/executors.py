"""Where chunks of households are computed: a local process pool, or a Dask cluster.

Both are `concurrent.futures.Executor`s; the TaxBenefitSystem is loaded once per worker process
(`rules.load_tax_benefit_system` is cached per process)."""

import contextlib
import datetime as dt
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from multiprocessing import get_context

from justedroit import rules
from justedroit.rules.situation import HouseholdInput


def compute_chunk(households: Sequence[HouseholdInput], month: dt.date):
    """Runs in a worker: plain data in, plain data out."""
    return rules.compute_month(households, month)


def _warm_up() -> None:
    rules.load_tax_benefit_system()


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
def executor(
    kind: str = "local", *, scheduler: str | None = None, workers: int | None = None
) -> Iterator[Executor]:
    if kind == "inline":
        yield InlineExecutor()
    elif kind == "local":
        # fork: workers inherit the loaded code; they touch no database connection.
        with ProcessPoolExecutor(
            max_workers=workers or os.cpu_count() or 1,
            mp_context=get_context("fork"),
            initializer=_warm_up,
        ) as pool:
            yield pool
    elif kind == "dask":
        from distributed import Client, LocalCluster

        if scheduler:
            with Client(scheduler) as client:
                yield client.get_executor()
        else:
            with (
                LocalCluster(
                    n_workers=workers or 2,
                    threads_per_worker=1,
                    dashboard_address=None,
                    processes=True,
                ) as cluster,
                Client(cluster) as client,
            ):
                yield client.get_executor()
    else:
        raise ValueError(f"Exécuteur inconnu « {kind} » : local ou dask.")
