"""Meeting links for visio appointments, from a configurable provider.

`JUSTEDROIT_VISIO_PROVIDER` (dotted path, optional) names a class with `create_link(*, starts_at,
minutes) -> str`. The default stub gives a unique, unguessable link for development.
"""

import secrets

from django.conf import settings
from django.utils.module_loading import import_string


class StubVisioProvider:
    base_url = "https://visio.caf86.invalid/rdv/"

    def create_link(self, *, starts_at, minutes: int) -> str:
        return f"{self.base_url}{secrets.token_urlsafe(16)}"


def meeting_link(*, starts_at, minutes: int) -> str:
    path = getattr(settings, "JUSTEDROIT_VISIO_PROVIDER", "")
    provider = import_string(path)() if path else StubVisioProvider()
    return provider.create_link(starts_at=starts_at, minutes=minutes)
