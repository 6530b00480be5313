"""One contact history per household. Each domain contributes entries from its own `timeline.py`
with `@timeline_provider`; the household page gathers them, newest first."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    channel: str  # one of CHANNELS
    title: str  # French, short
    detail: str = ""
    url: str = ""


CHANNELS = (
    "accueil",
    "rendez-vous",
    "téléphone",
    "courriel",
    "document",
    "téléprocédure",
    "contrôle",
    "créance",
)
Provider = Callable[[int], list[TimelineEntry]]  # household id → entries
_PROVIDERS: list[Provider] = []


def timeline_provider(provider: Provider) -> Provider:
    _PROVIDERS.append(provider)
    return provider


def household_timeline(household_id: int, channel: str = "") -> list[TimelineEntry]:
    entries = [entry for provider in _PROVIDERS for entry in provider(household_id)]
    if channel:
        entries = [entry for entry in entries if entry.channel == channel]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)
