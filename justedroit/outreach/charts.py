"""Web layer: the partners' attendance chart, drawn by the shared chart module (horizontal bars:
partners' names are long). The page gives the same figures in a table."""

from decimal import Decimal

from justedroit.core import charts


def rows(points: list[tuple[str, Decimal | int]], *, maximum: Decimal | int) -> charts.Chart:
    """One horizontal bar per (partner, rate in %), `maximum` ending the axis."""
    return charts.bars(
        title="Taux de présence de chaque partenaire aux réunions d'information",
        categories=[label if len(label) <= 48 else label[:47] + "…" for label, _ in points],
        series={"Taux de présence": [value for _, value in points]},
        unit="%",
        maximum=maximum,
    )
