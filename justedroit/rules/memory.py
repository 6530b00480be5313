"""Memory plumbing shared by the engine and its callers."""

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """A batch allocates millions of small acyclic objects (Decimals, dicts, arrays, inputs);
    the cyclic garbage collector would walk the whole heap again and again meanwhile (up to a
    fifth of a run at 95,000 households). Reference counting still frees everything."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
