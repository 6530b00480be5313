"""`justedroit demo` says where it is, reconciles its counts with the README and, run again, says
that it reused everything."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from justedroit.core import clock
from justedroit.reception.models import Site, Ticket
from justedroit.twin import selectors
from justedroit.twin.management.commands.demo import Command, MonthProgress

# A fifth of the suite's small twin: the demo builds its own (step 2), and its month's cycle and
# controllers work on a fifth of the households.
ARGS = ("demo", "--scale", "0.002", "--seed", "86", "--from", "2022-12", "--to", "2022-12")


def test_month_progress_names_the_step_the_month_and_its_rank():
    command = Command(stdout=io.StringIO(), stderr=io.StringIO())
    progress = MonthProgress(command, None, months=24)
    progress("mois", "2021-01 déclarations et fichiers : declarations 12")
    progress("cycle", "2021-01 paiements : terminé en 1.2 s — 40 paiements")
    progress("cycle", "2021-02 paiements : terminé en 1.1 s — 41 paiements")
    progress("cycle", "2021-01 recalcul : terminé en 0.5 s — 3 foyers")
    progress("cycle", "2021-02 lettres : terminé en 0.1 s — 2 lettres")
    lines = command.stderr.getvalue().splitlines()
    assert (
        lines[0]
        == "étape 4/5 : mois 1/24 (2021-01) mois : déclarations et fichiers : declarations 12"
    )
    assert lines[1].startswith("étape 4/5 : mois 1/24 (2021-01) cycle : paiements : terminé")
    assert lines[2].startswith("étape 4/5 : mois 2/24 (2021-02) cycle : paiements")
    assert "reste environ" in lines[2]  # an estimate once a month is done
    # A note about an earlier month does not count as a new month.
    assert lines[4].startswith("étape 4/5 : mois 2/24 (2021-02) cycle : lettres")
    assert progress.worked == 4


def test_a_second_run_reuses_everything(db, settings, tmp_path):
    settings.DEBUG, settings.VAR_DIR = True, tmp_path
    first, steps = io.StringIO(), io.StringIO()
    with clock.frozen(dt.datetime(2022, 12, 30, 10, 30)):  # the demo's clock, `make demo`
        call_command(*ARGS, stdout=first, stderr=steps)
    # The server's clock will start at the twin's liveliest instant of that morning — when the
    # twin has anyone come to the main site by then (at 0.2 %, often nobody: then 10:30 stays).
    main = Site.objects.order_by("-desks", "-slug").first()
    came = Ticket.objects.filter(site=main, day=dt.date(2022, 12, 30)).exists()
    instant = tmp_path / "demo-instant"
    assert instant.exists() == came == ("L'accueil s'ouvre le 30/12/2022 à" in first.getvalue())
    if came:
        assert "2022-12-30T08:30" < instant.read_text().strip() <= "2022-12-30T10:30"
    assert "étape 5/5 : comptes de démonstration" in steps.getvalue()
    assert "jumeau construit en" in first.getvalue()
    figures = selectors.demo_figures()
    summary = first.getvalue()
    assert f"{figures.households_end:,}".replace(",", "\u202f") + " allocataires au 31/12/2022" in (
        summary
    )
    assert figures.households_ever > figures.households_end
    again = io.StringIO()
    call_command(*ARGS, stdout=again, stderr=io.StringIO())
    assert "tout est réutilisé" in again.getvalue()


def test_the_demo_is_only_prepared_with_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command(*ARGS)
