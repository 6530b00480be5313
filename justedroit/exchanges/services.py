"""Importing partners' files into registry facts (source « échange avec un partenaire »).

A file is refused whole (`FileRefused`: encoding, header, no row…) or read row by row: a bad row is
reported with its line and a French message, the valid rows are kept. A valid row whose NIR is not
in the registry (or whose person has no household in the month concerned) is reported too, and
stored nowhere. Each run is journaled (`core.ImportJournal` + `ExchangeFile`); a file already
imported (same SHA-256 for the same partner) changes nothing, and a row whose fact is already the
latest exchange fact for that person, kind and month counts as already there — so an interrupted
import run again finishes the work without doubling it.

The facts never replace a declaration: the registry keeps both, and which one the computation
uses follows the precedence of `entitlements.situations` (docs/echanges.md).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.db.models import Q

from justedroit.core import imports
from justedroit.core.clock import add_months
from justedroit.core.imports import FileRefused, ImportReport, at_line
from justedroit.core.models import ImportStatus, User
from justedroit.exchanges.connectors import (
    FORMATS,
    Draft,
    ExchangeFormat,
    Inbox,
    Target,
    exchange_format,
)
from justedroit.exchanges.models import ExchangeFile
from justedroit.registry import services as registry_services
from justedroit.registry.models import Fact, FactSource, Membership, Person

UNKNOWN_NIR = "NIR inconnu du fichier allocataires"
CHUNK = 5_000  # facts stored per transaction

# household, person, kind, valid from, valid until
FactKey = tuple[int, int | None, str, dt.date, dt.date | None]


def exchange_import(
    *,
    connector: str,
    month: dt.date,
    path: Path,
    acting_user: User | None,
    progress: Callable[[int], None] = lambda done: None,
) -> tuple[ExchangeFile, ImportReport]:
    """Import one partner file for `month`: refused whole (FileRefused, journaled) or row by row."""
    fmt = exchange_format(connector)
    report = ImportReport()
    sha256, size = imports.file_digest(path)
    journal = imports.journal_open(
        kind=fmt.kind, source_name=str(path), sha256=sha256, size=size, acting_user=acting_user
    )
    with transaction.atomic():
        exchange_file = ExchangeFile.objects.create(
            journal=journal, connector=connector, month=month
        )
    if journal.status == ImportStatus.DUPLICATE:
        return exchange_file, report

    def opener():
        return open(path, "rb")

    try:
        imports.csv_check(opener, fmt)
    except FileRefused as refused:
        imports.journal_refuse(journal, refused.reason)
        raise
    rows = list(imports.csv_rows(opener, fmt, report))
    drafts = _drafts(fmt, month, rows, report)
    exchange_file.facts_created = _store(drafts, report, acting_user, progress, fmt.label)
    report.refused.sort(key=lambda error: int(error.where.split()[-1]))  # in file order
    imports.journal_close(journal, report)
    with transaction.atomic():
        exchange_file.save(update_fields=["facts_created"])
    return exchange_file, report


def _drafts(fmt: ExchangeFormat, month: dt.date, rows, report: ImportReport):
    """Each fact the valid rows make, their amounts added up per key, with the lines feeding it.
    Rows that cannot be placed (unknown NIR, no household that month, refused by the format
    given the file's month) are reported."""
    targets = _targets({(fmt.nir(row), fmt.month_of(row, month)) for _, row in rows})
    persons = set(
        Person.objects.filter(nir__in={fmt.nir(r) for _, r in rows}).values_list("nir", flat=True)
    )
    values: dict[FactKey, Draft] = {}
    lines: dict[FactKey, list[int]] = defaultdict(list)
    for line, row in rows:
        nir, when = fmt.nir(row), fmt.month_of(row, month)
        target = targets.get((nir, when))
        problem = fmt.refusal(row, month)
        if problem is None and nir not in persons:
            problem = UNKNOWN_NIR
        elif problem is None and target is None:
            problem = f"aucun foyer allocataire pour ce NIR en {when:%m/%Y}"
        if problem is None:
            assert target is not None  # a row without a household is refused just above
            try:
                made = fmt.facts(row, target)
            except ValueError as error:
                problem = str(error)
        if problem is not None:
            report.refused.append(at_line(line, f"{problem}."))
            continue
        assert target is not None
        for draft in made:
            key = (
                target.household_id,
                target.person_id if draft.about_person else None,
                draft.kind,
                draft.valid_from,
                draft.valid_until,
            )
            known = values.get(key)
            if known is not None and known.amount is not None and draft.amount is not None:
                draft = Draft(**{**draft.__dict__, "amount": known.amount + draft.amount})
            values[key] = draft
            lines[key].append(line)
    return values, lines


def _targets(wanted: set[tuple[str, dt.date]]) -> dict[tuple[str, dt.date], Target]:
    """(NIR, month) → the person and the household they belong to in that month (the latest
    arrival when they belong to two)."""
    if not wanted:
        return {}
    months = {month for _, month in wanted}
    memberships = Membership.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gt=min(months)),
        person__nir__in={nir for nir, _ in wanted},
        start_date__lt=add_months(max(months), 1),
    ).order_by("start_date", "id")
    found: dict[tuple[str, dt.date], Target] = {}
    for nir, person_id, household_id, role, start, end in memberships.values_list(
        "person__nir", "person_id", "household_id", "role", "start_date", "end_date"
    ):
        for month in months:
            covers = start < add_months(month, 1) and (end is None or end > month)
            if covers and (nir, month) in wanted:
                found[(nir, month)] = Target(person_id, household_id, role)
    return found


def _store(drafts, report: ImportReport, acting_user, progress, label: str) -> int:
    """Store the facts not already the latest exchange fact of their key; count each row as
    created (it fed at least one new fact) or already there."""
    values, lines = drafts
    latest = _latest_exchange_facts(values)
    new = [key for key, draft in values.items() if latest.get(key) != _value(draft)]
    fresh_lines = {line for key in new for line in lines[key]}
    all_lines = {line for key_lines in lines.values() for line in key_lines}
    for start in range(0, len(new), CHUNK):
        keys = new[start : start + CHUNK]
        registry_services.facts_record_bulk(
            facts=[
                registry_services.FactInput(
                    household_id=key[0],
                    person_id=key[1],
                    kind=key[2],
                    valid_from=key[3],
                    valid_until=key[4],
                    amount=values[key].amount,
                    code=values[key].code,
                )
                for key in keys
            ],
            source=FactSource.PARTNER_EXCHANGE,
            acting_user=acting_user,
            reason=f"échange : {label}",
        )
        progress(start + len(keys))
    report.created += len(fresh_lines)
    report.already_there += len(all_lines - fresh_lines)
    return len(new)


def _value(draft: Draft) -> tuple[Decimal | None, str]:
    return (draft.amount, draft.code)


def _latest_exchange_facts(values: dict[FactKey, Draft]) -> dict[FactKey, tuple]:
    """Key → value of the latest exchange fact recorded for exactly that key."""
    if not values:
        return {}
    facts = Fact.objects.filter(
        source=FactSource.PARTNER_EXCHANGE,
        household_id__in={key[0] for key in values},
        kind__in={key[2] for key in values},
        valid_from__in={key[3] for key in values},
    ).order_by("recorded_at", "id")
    latest: dict[FactKey, tuple] = {}
    for row in facts.values_list(
        "household_id", "person_id", "kind", "valid_from", "valid_until", "amount", "code"
    ):
        latest[row[:5]] = (row[5], row[6])
    return latest


def exchange_inbox_import(*, month: dt.date, inbox: Path, acting_user: User | None) -> dict:
    """Import every partner's files of `month` found in the inbox folder (`Inbox`). A refused
    file is journaled and counted; the others are imported all the same."""
    source = Inbox(Path(inbox))
    counts: defaultdict[str, int] = defaultdict(int)
    for connector in FORMATS:
        for path in source.files(connector, month):
            try:
                exchange_file, report = exchange_import(
                    connector=connector, month=month, path=path, acting_user=acting_user
                )
            except FileRefused:
                counts["files_refused"] += 1
                continue
            if exchange_file.journal.status == ImportStatus.DUPLICATE:
                counts["files_already_imported"] += 1
                continue
            counts["files"] += 1
            counts["rows_read"] += report.read
            counts["rows_kept"] += report.created
            counts["rows_already_there"] += report.already_there
            counts["rows_refused"] += len(report.refused)
            counts["facts"] += exchange_file.facts_created
    return dict(counts)
