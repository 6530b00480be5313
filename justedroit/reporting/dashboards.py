"""The managers' dashboards: one per domain, each showing the indicators its domains declare (the
same rows as the annual report, from `selectors.indicator_report`: no second computation), with
the chosen month's figure and the 12 months before it for the indicators declared month by month,
and the direction's target for the year when one is set (`models.Target`).

An indicator belongs to the dashboard of the domain that declares it: a domain's later indicators
show without changing this module."""

import datetime as dt
from dataclasses import dataclass

from justedroit.core.indicators import Value
from justedroit.reporting.document import indicator_domains
from justedroit.reporting.models import Target
from justedroit.reporting.selectors import IndicatorRow, Report


@dataclass(frozen=True)
class Dashboard:
    slug: str
    title: str
    domains: tuple[str, ...]


DASHBOARDS = (
    Dashboard("accueil-et-canaux", "Accueil et canaux de contact", ("reception", "channels")),
    Dashboard("acces-aux-droits", "Accès aux droits et démarches sortantes", ("outreach",)),
    Dashboard("controles", "Contrôles", ("controls",)),
    Dashboard("fraude", "Fraude", ("fraud",)),
    Dashboard("recouvrement", "Recouvrement des indus", ("recovery",)),
    Dashboard("recours", "Commission de recours amiable et contentieux", ("appeals",)),
    Dashboard("qualite", "Qualité de la liquidation", ("quality",)),
)
BY_SLUG = {d.slug: d for d in DASHBOARDS}


@dataclass(frozen=True)
class Tile:
    """One indicator on a dashboard."""

    row: IndicatorRow
    month_value: Value  # None when the indicator is not declared month by month
    trend: list[tuple[dt.date, Value]]  # the 12 months ending with the chosen one; [] if none
    target: Target | None

    @property
    def reached(self) -> bool | None:
        """Whether the year's value meets the target, the way the indicator improves (at most
        the target when lower is better, at least otherwise); None without both."""
        if self.target is None or self.target.value is None or self.row.value is None:
            return None
        if self.row.better == "lower":
            return self.row.value <= self.target.value
        return self.row.value >= self.target.value


@dataclass(frozen=True)
class DashboardView:
    dashboard: Dashboard
    month: dt.date
    computed_at: dt.datetime
    tiles: list[Tile]

    @property
    def monthly(self) -> list[Tile]:
        return [tile for tile in self.tiles if tile.trend]

    @property
    def targeted(self) -> list[Tile]:
        return [tile for tile in self.tiles if tile.target is not None]


def dashboard_view(
    dashboard: Dashboard, report: Report, month: int, targets: dict[str, Target]
) -> DashboardView:
    """The dashboard for `month` of the report's year."""
    domains = indicator_domains()
    tiles = []
    for row in report.rows:
        if domains.get(row.code) not in dashboard.domains:
            continue
        declared = row.code in report.monthly
        tiles.append(
            Tile(
                row=row,
                month_value=report.monthly[row.code].get((report.year, month))
                if declared
                else None,
                trend=report.last_months(row.code, month) if declared else [],
                target=targets.get(row.code),
            )
        )
    return DashboardView(dashboard, dt.date(report.year, month, 1), report.computed_at, tiles)
