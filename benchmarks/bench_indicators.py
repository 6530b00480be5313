"""Time `justedroit indicators --year 2022` over a database holding the full twin and its simulated
activity, against a baseline in the same run: plain COUNTs over the same channel tables.

Usage (not a test): JUSTEDROIT_VAR_DIR=DIR DEBUG=1 JUSTEDROIT_TODAY=2022-12-31 \
    .venv/bin/python benchmarks/bench_indicators.py
where DIR holds a database built with `twin build --scale 1` and `twin simulate --from 2021-01
--to 2022-12`. Goal: ≤ 10 s.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "justedroit.settings")
    import django

    django.setup()
    from justedroit.channels.models import (
        Call,
        CallbackRequest,
        Document,
        EmailMessage,
        EmailThread,
        Procedure,
    )

    models = (Call, CallbackRequest, EmailThread, EmailMessage, Document, Procedure)
    started = time.perf_counter()
    rows = sum(model.objects.count() for model in models)
    baseline = time.perf_counter() - started
    started = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).with_name("justedroit")), "indicators", "--year", "2022"],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    command = time.perf_counter() - started
    print(f"lignes des canaux : {rows}")
    print(f"COUNT(*) sur les tables des canaux (référence) : {baseline:.2f} s")
    print(f"justedroit indicators --year 2022 : {command:.2f} s (objectif ≤ 10 s)")


if __name__ == "__main__":
    main()
