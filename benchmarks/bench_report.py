"""Time the build of the 2022 annual report over a database holding a twin and its simulated
activity: the indicators (recomputed, not from the cache), the document, its charts and HTML, the
PDF, then the whole `justedroit report build --format pdf` command as an operator runs it.
Baseline in the same run: the same PDF with the charts' letters drawn as paths (matplotlib's
default, which svglib converts slowly), each drawn from a fresh cache.

Usage (not a test): JUSTEDROIT_VAR_DIR=DIR DEBUG=1 JUSTEDROIT_TODAY=2022-12-31 \
    .venv/bin/python benchmarks/bench_report.py
where DIR holds a database built with `twin build --scale S` and `twin simulate --from 2021-01
--to 2022-12`. Goal (issue 18): ≤ 30 s over the full twin.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2022


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "justedroit.settings")
    import django

    django.setup()
    import matplotlib
    from django.core.cache import caches

    from justedroit.registry.models import Household
    from justedroit.reporting import document, renderers, selectors

    started = time.perf_counter()
    report = selectors.indicator_report(YEAR, recompute=True)
    indicators = time.perf_counter() - started
    started = time.perf_counter()
    built = document.document(report)
    html = renderers.html(built)
    drawn = time.perf_counter() - started
    converted, pdf = _drawn(lambda: renderers.pdf(built), caches["renders"])
    matplotlib.rcParams["svg.fonttype"] = "path"
    as_paths, _ = _drawn(lambda: renderers.pdf(built), caches["renders"])
    matplotlib.rcParams["svg.fonttype"] = "none"
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        subprocess.run(
            [
                str(Path(sys.executable).with_name("justedroit")),
                *("report", "build", "--year", str(YEAR), "--format", "pdf"),
                *("--output", f"{folder}/rapport.pdf"),
            ],
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        command = time.perf_counter() - started
    print(f"foyers : {Household.objects.count()} ; indicateurs : {len(report.rows)}")
    print(f"indicateurs {YEAR} et {YEAR - 1} recalculés : {indicators:.2f} s")
    print(f"document, graphiques et HTML : {drawn:.2f} s ({len(html) // 1024} Kio)")
    print(f"graphiques et PDF : {converted:.2f} s ({len(pdf) // 1024} Kio)")
    print(
        f"graphiques et PDF, lettres des graphiques en chemins : {as_paths:.2f} s "
        f"(rapport texte / chemins : {converted / as_paths:.2f})"
    )
    print(f"justedroit report build --year {YEAR} --format pdf : {command:.2f} s (objectif ≤ 30 s)")


def _drawn(draw, cache):
    """Seconds to draw the charts and the PDF from an empty cache, and the PDF."""
    cache.clear()
    started = time.perf_counter()
    pdf = draw()
    return time.perf_counter() - started, pdf


if __name__ == "__main__":
    main()
