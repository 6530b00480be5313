import base64
from decimal import Decimal

import matplotlib.pyplot
from django.core.cache import caches

from justedroit.core import charts


def test_a_chart_is_a_static_svg_with_its_figures_in_words():
    chart = charts.bars(
        title="Contrôles par nature",
        categories=["Sur pièces", "Sur place"],
        series={"2021": [14_000, 880], "2022": [14_977, None]},
        unit="contrôles",
    )
    assert chart.svg.startswith('<svg role="img"')
    assert "<title>Contrôles par nature</title>" in chart.svg
    assert (
        "<desc>Contrôles par nature (en contrôles). Sur pièces (2021 : 14\u202f000 ; "
        "2022 : 14\u202f977) — Sur place (2021 : 880 ; 2022 : —).</desc>"
    ) in chart.svg
    assert "<script" not in chart.svg
    assert chart.svg.count('id="barre-') == 4  # a missing value draws an empty bar
    decoded = base64.b64decode(chart.data_uri.removeprefix("data:image/svg+xml;base64,"))
    assert decoded.decode() == chart.svg


def test_charts_leave_no_figure_behind():

    for _ in range(3):
        charts.bars(title="T", categories=["a"], series={"2022": [Decimal("1.5")]})
    assert matplotlib.pyplot.get_fignums() == []


def test_an_estimate_is_drawn_with_its_interval_and_says_it():
    chart = charts.bars(
        title="Indice de qualité",
        categories=["IQL", "IQL 6 mois"],
        series={"2022": [Decimal("94.2"), None]},
        unit="%",
        intervals={"2022": [(Decimal("92.1"), Decimal("95.9")), None]},
    )
    assert 'id="intervalles-0"' in chart.svg
    assert (
        "IQL (2022 : 94,2, intervalle de confiance à 95 % de 92,1 à 95,9) — IQL 6 mois (2022 : —)."
    ) in chart.description
    plain = charts.bars(title="T", categories=["a"], series={"2022": [1]})
    assert "intervalles-" not in plain.svg


def test_a_chart_is_drawn_once_for_its_figures_and_again_when_anything_it_shows_changes(
    monkeypatch,
):
    drawn = []
    draw = charts._svg
    monkeypatch.setattr(charts, "_svg", lambda *args: drawn.append(args) or draw(*args))
    caches["renders"].clear()
    shown = {
        "title": "Gardé",
        "categories": ["a", "b"],
        "series": {"2021": [1, 2], "2022": [3, Decimal("4.5")]},
    }
    first = charts.bars(**shown)
    assert charts.bars(**shown) == first and len(drawn) == 1
    changes = [
        {"title": "Autre"},
        {"categories": ["a", "c"]},
        {"series": {"2021": [1, 2], "2022": [3, Decimal("4.6")]}},
        {"series": {"2022": [3, Decimal("4.5")], "2021": [1, 2]}},  # colours follow the order
        {"unit": "%"},
        {"horizontal": False},
        {"maximum": 10},
        {"intervals": {"2021": [(0, 2), None]}},
    ]
    for change in changes:
        assert charts.bars(**(shown | change)) != first, change
    assert len(drawn) == 1 + len(changes)
