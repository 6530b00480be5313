"""Reads of the partner files received."""

from justedroit.exchanges.models import ExchangeFile

LISTED = 200


def exchange_files(limit: int = LISTED) -> list[ExchangeFile]:
    """The latest files received, newest first, with their import journal."""
    return list(ExchangeFile.objects.select_related("journal")[:limit])
