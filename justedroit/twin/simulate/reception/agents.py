"""The twin's reception agents and their weekly opening slots (created once, reused by later
runs), and the reception world the simulators draw from."""

import datetime as dt
from dataclasses import dataclass

import numpy as np

from justedroit.core.models import User
from justedroit.core.roles import Role
from justedroit.reception.models import AccessibilityResource, AppointmentType, OpeningSlot, Site
from justedroit.registry.models import Household
from justedroit.twin.simulate.reception.parameters import PARAMETERS as P

TYPE_BY_CHANNEL = {
    "in_person": "dossier-sur-place",
    "phone": "dossier-telephone",
    "visio": "dossier-visio",
}


@dataclass
class World:
    """What a year's simulation draws from: sites, agents, opening hours and households by area."""

    sites: dict[str, Site]  # by slug
    types: dict[str, AppointmentType]  # by channel
    agents: dict[str, list[User]]  # by site slug
    hours: dict[tuple[str, int], list[tuple[dt.time, dt.time]]]  # (slug, weekday) → spans
    households: np.ndarray  # ids
    area_members: dict[str, np.ndarray]  # area → household ids
    area_weight: dict[str, float]  # area → share of households

    def site_for(self, area: str, day: dt.date) -> str:
        """The area's own site when open that day, else its fallback site."""
        if (area, day.weekday()) in self.hours:
            return area
        return P.fallback_site.get(area, area)


def world() -> World | None:
    """The reception world of the twin, or None when there is no household."""
    sites = list(Site.objects.prefetch_related("opening_hours").order_by("slug"))
    types = {c: AppointmentType.objects.get(code=code) for c, code in TYPE_BY_CHANNEL.items()}
    agents = _agents_and_slots(sites, types)
    hours = {
        (s.slug, h.weekday): [(h.opens, h.closes) for h in s.opening_hours.all()]
        for s in sites
        for h in s.opening_hours.all()
    }
    households = list(Household.objects.order_by("id").values_list("id", "commune__postcodes"))
    if not households:
        return None
    ids = np.array([h[0] for h in households])
    area = np.array(
        [P.area_by_postcode.get((postcodes or [""])[0], "poitiers") for _, postcodes in households]
    )
    # Areas in a stable order: a set's order changes with each process's string hashing.
    members = {a: ids[area == a] for a in sorted(set(area))}
    return World(
        sites={s.slug: s for s in sites},
        types=types,
        agents=agents,
        hours=hours,
        households=ids,
        area_members=members,
        area_weight={a: len(m) / len(ids) for a, m in members.items()},
    )


def _agents_and_slots(sites, types) -> dict[str, list[User]]:
    by_site: dict[str, list[User]] = {}
    lsf = AccessibilityResource.objects.filter(site__slug="poitiers", kind="lsf").first()
    lsf_site, lsf_agent, lsf_weekday = P.lsf_slot
    for site in sites:
        agents = []
        for index in range(P.agents_per_site[site.slug]):
            agent = _agent(site, index)
            agents.append(agent)
            if OpeningSlot.objects.filter(agent=agent).exists():
                continue
            offered = [types["in_person"]] + (
                [types["phone"], types["visio"]] if site.offers_remote else []
            )
            for hours in site.opening_hours.all():
                with_lsf = (
                    (site.slug, index, hours.weekday) == (lsf_site, lsf_agent, lsf_weekday)
                    and hours.opens.hour < 12  # the morning
                )
                slot = OpeningSlot.objects.create(
                    agent=agent,
                    site=site,
                    weekday=hours.weekday,
                    starts=hours.opens,
                    ends=hours.closes,
                    first_day=P.slots_from,
                    resource=lsf if with_lsf else None,
                )
                slot.types.set(offered)
        by_site[site.slug] = agents
    return by_site


def _agent(site: Site, index: int) -> User:
    agent, created = User.objects.get_or_create(
        username=f"jumeau-{site.slug}-{index + 1}",
        defaults={
            "role": Role.CASE_WORKER,
            "first_name": "Agent",
            "last_name": f"{site.name} {index + 1}",
        },
    )
    if created:
        agent.set_unusable_password()
        agent.save(update_fields=["password"])
    return agent
