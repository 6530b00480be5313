"""Web layer: what each agent finds on landing, their worklists with their counts ("mes tâches",
tasks nobody has taken) and the figures of their work; only counts, no household's data.

A context processor, like the navigation, so that `core` never imports the domains: it gives the
templates a callable, which only the agents' home page calls (no count on any other page)."""

import functools
from dataclasses import dataclass

from django.urls import reverse

from justedroit.channels import perms as channels_perms
from justedroit.channels import selectors as channels_selectors
from justedroit.controls import perms as controls_perms
from justedroit.controls import selectors as controls_selectors
from justedroit.core import clock
from justedroit.fraud import perms as fraud_perms
from justedroit.fraud import selectors as fraud_selectors
from justedroit.reception import perms as reception_perms
from justedroit.reception import selectors as reception_selectors
from justedroit.registry import perms as registry_perms


@dataclass(frozen=True)
class Figure:
    label: str
    value: int
    url: str


@dataclass(frozen=True)
class Panel:
    title: str
    url: str
    figures: list[Figure]


def _assignable(user, tasks, url: str, slug: str) -> list[Figure]:
    """The counts of a worklist whose tasks are assigned: all, mine, nobody's."""
    return [
        Figure("en attente", tasks.count(), f"{url}#{slug}"),
        Figure(
            "mes tâches",
            tasks.filter(assigned_to=user).count(),
            f"{url}?{slug}-affectation=moi#{slug}",
        ),
        Figure(
            "non attribuées",
            tasks.filter(assigned_to__isnull=True).count(),
            f"{url}?{slug}-affectation=libres#{slug}",
        ),
    ]


def panels(user) -> list[Panel]:
    found: list[Panel] = []
    if registry_perms.can_search_households(user):
        found.append(Panel("Rechercher un foyer", reverse("registry:household_search"), []))
    if channels_perms.can_view_contact_queues(user):
        url = reverse("channels:home")
        for title, tasks, slug in (
            ("Courriels en attente de réponse", channels_selectors.waiting_threads(), "courriels"),
            ("Documents à traiter", channels_selectors.manual_queue(), "documents"),
            ("Demandes de rappel", channels_selectors.callback_queue(), "rappels"),
        ):
            found.append(Panel(title, f"{url}#{slug}", _assignable(user, tasks, url, slug)))
    if reception_perms.can_serve_reception(user):
        url = reverse("reception:unmarked")
        count = reception_selectors.unmarked_past_appointments(user).count()
        found.append(
            Panel("Mes rendez-vous à renseigner", url, [Figure("à renseigner", count, url)])
        )
    if controls_perms.can_view_controls(user):
        url = reverse("controls:worklist")
        found.append(
            Panel(
                "Contrôles",
                url,
                [
                    Figure("ouverts", controls_selectors.worklist().count(), url),
                    Figure(
                        "mes contrôles", controls_selectors.worklist(controller=user).count(), url
                    ),
                ],
            )
        )
    if fraud_perms.can_view_fraud_files(user):
        url = reverse("fraud:worklist")
        files = fraud_selectors.worklist()
        overdue = fraud_selectors.worklist(overdue_only=True, today=clock.today())
        found.append(
            Panel(
                "Dossiers de fraude",
                url,
                [
                    Figure("ouverts", files.count(), url),
                    Figure("échéance proche ou passée", overdue.count(), url),
                ],
            )
        )
    return found


def worklist_panels(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"home_panels": list}
    return {"home_panels": functools.partial(panels, user)}
