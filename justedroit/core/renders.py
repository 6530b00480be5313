"""Drawings kept by what they are drawn from: a chart, the annual report's PDF. The key is a
digest of the whole input, so an entry never goes stale and nothing clears the "renders" cache
(settings.CACHES). Only for aggregates: no personal data goes there."""

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import caches

T = TypeVar("T")


def kept(kind: str, source: str, draw: Callable[[], T]) -> T:
    """What `draw` gives for `source` (everything the drawing depends on, as text): drawn the
    first time, then taken from the cache."""
    cache = caches["renders"]
    key = f"{kind}:{hashlib.sha256(source.encode()).hexdigest()}"
    drawn = cache.get(key)
    if drawn is None:
        drawn = draw()
        cache.set(key, drawn)
    return drawn
