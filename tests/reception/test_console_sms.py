"""The console SMS backend prints each SMS on standard output, unless its level is raised
(JUSTEDROIT_SMS_CONSOLE_LEVEL=WARNING, as `make demo` does for its worker)."""

import logging
import sys
from pathlib import Path

from justedroit.reception.notifications.backends import ConsoleSmsBackend


def test_each_sms_is_a_line_on_standard_output(capsys, monkeypatch):
    (handler,) = logging.getLogger("justedroit.sms").handlers
    # settings.LOGGING gave it sys.stdout, which capsys has replaced since.
    monkeypatch.setattr(handler, "stream", sys.stdout)
    assert ConsoleSmsBackend().send(to="+33612345678", text="Bonjour").ok
    assert capsys.readouterr().out == "[SMS → +33612345678] Bonjour\n"


def test_a_raised_level_keeps_the_console_quiet(capsys, monkeypatch):
    (handler,) = logging.getLogger("justedroit.sms").handlers
    monkeypatch.setattr(handler, "stream", sys.stdout)
    log = logging.getLogger("justedroit.sms")
    log.setLevel(logging.WARNING)
    try:
        assert ConsoleSmsBackend().send(to="+33612345678", text="Bonjour").ok
    finally:
        log.setLevel(logging.INFO)
    assert capsys.readouterr().out == ""


def test_make_demo_s_worker_is_quiet():
    makefile = (Path(__file__).parents[2] / "Makefile").read_text()
    (worker,) = [line for line in makefile.splitlines() if "db_worker --no-reload" in line]
    assert "JUSTEDROIT_SMS_CONSOLE_LEVEL=WARNING" in worker
