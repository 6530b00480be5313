"""A Dask worker preload (`dask worker --preload tests/entitlements/dying_worker.py --no-nanny`):
the worker computes and stores the first partition it receives, then dies with SIGKILL before it
can report it, as a machine lost in the middle of a run would."""

import os
import signal

from justedroit.entitlements import executors

# Dask may load a preload twice (from its path and from the worker's copy): wrap the original once.
_in_django = getattr(executors.in_django, "__wrapped__", executors.in_django)


def _dies_after_its_first_partition(service, /, *args, **kwargs):
    _in_django(service, *args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)


# Tasks name `executors.in_django` (pickled by reference): this worker finds this one.
_dies_after_its_first_partition.__wrapped__ = _in_django  # type: ignore[attr-defined]
executors.in_django = _dies_after_its_first_partition
