"""The twin's calls, emails, documents and online procedures, month by month.

Volumes and shares come from `justedroit.channels.calibration` (the seed's figures, then
documented hypotheses). Published figures are met by quotas — the year's exact count at the given
scale, then random placement over working days and hours — so the indicators match the seed at
scale 1.0. Rows are written with the twin's bulk path and follow the same rules as the services:
the same working-time clock for email delays (`channels.workdays`), automatic routing only for
online structured declarations, processing dates never after the reference instant. The
declarations the twin routes automatically are already in the registry as facts (source
« déclaration ») written by `twin build`; the documents do not record them a second time.
"""

import datetime as dt
from collections.abc import Callable

import numpy as np
from django.db import connection

from justedroit.channels import calibration as cal
from justedroit.channels.models import (
    Call,
    CallbackRequest,
    ContactReason,
    Document,
    EmailMessage,
    EmailThread,
    Procedure,
    team_for,
)
from justedroit.core import clock
from justedroit.core.calendar import holiday_array, working_minutes_vector
from justedroit.core.db import bulk_insert, reset_sequences
from justedroit.registry.models import Benefit, Household

WEEKDAY_WEIGHTS = np.array([1.3, 1.05, 1.0, 0.9, 0.85, 0.35, 0.3])  # Monday … Sunday (hypothèse)
EVENING_HOURS = np.array(
    [
        0.2,
        0.1,
        0.05,
        0.05,
        0.05,
        0.1,
        0.3,
        0.8,
        1.3,
        1.6,
        1.6,
        1.5,
        1.2,
        1.3,
        1.5,
        1.5,
        1.4,
        1.3,
        1.2,
        1.1,
        1.1,
        1.0,
        0.7,
        0.4,
    ]
)  # online activity by hour of day (hypothèse)


class _Clock:
    """Paris wall-clock datetime64 → the strings this connection stores (UTC)."""

    def __init__(self):
        self.offsets: dict[np.datetime64, np.timedelta64] = {}
        self.suffix = "+00:00" if connection.vendor == "postgresql" else ""

    def utc(self, local: np.ndarray) -> np.ndarray:
        days = local.astype("datetime64[D]")
        uniques, inverse = np.unique(days, return_inverse=True)
        offsets = np.array(
            [
                int(
                    dt.datetime.combine(day.astype(dt.date), dt.time(12), tzinfo=clock.PARIS)
                    .utcoffset()
                    .total_seconds()
                )
                for day in uniques
            ],
            dtype=np.int64,
        )
        return local.astype("datetime64[s]") - offsets[inverse].astype("timedelta64[s]")

    def strings(self, local: np.ndarray) -> list:
        if len(local) == 0:
            return []
        missing = np.isnat(local)
        text = np.char.replace(
            np.datetime_as_string(
                self.utc(np.where(missing, np.datetime64(0, "s"), local)), unit="s"
            ),
            "T",
            " ",
        ).astype(object)
        out = (text + self.suffix) if self.suffix else text
        out[missing] = None
        return out.tolist()


def _month_quota(total: int, weights) -> np.ndarray:
    """Split `total` over 12 months by weights with exact integer total (largest remainder)."""
    raw = np.asarray(weights, dtype=float) / np.sum(weights) * total
    counts = np.floor(raw).astype(np.int64)
    rest = total - counts.sum()
    counts[np.argsort(-(raw - counts), kind="stable")[:rest]] += 1
    return counts


def _pick(rng, options: dict, size: int) -> np.ndarray:
    keys = np.array(list(options), dtype=object)
    probabilities = np.array(list(options.values()), dtype=float)
    return keys[rng.choice(len(keys), size=size, p=probabilities / probabilities.sum())]


def _days(month: dt.date, before: dt.date, working_only: bool) -> np.ndarray:
    end = min(clock.add_months(month, 1), before)
    days = np.arange(np.datetime64(month, "D"), np.datetime64(end, "D"))
    if working_only:
        days = days[np.is_busday(days, holidays=holiday_array())]
    return days


def _times(rng, days: np.ndarray, size: int, *, office: bool) -> np.ndarray:
    """Paris wall-clock instants: office hours 9:00–16:30 by half hour, or any hour online."""
    if size == 0 or len(days) == 0:
        return np.array([], dtype="datetime64[s]")
    weekday = (days.astype("datetime64[D]").astype(np.int64) + 3) % 7  # 1970-01-01 was Thursday
    day = days[rng.choice(len(days), size=size, p=_norm(WEEKDAY_WEIGHTS[weekday]))]
    if office:
        slot = rng.choice(len(cal.HALF_HOUR_WEIGHTS), size=size, p=_norm(cal.HALF_HOUR_WEIGHTS))
        seconds = 9 * 3600 + slot * 1800 + rng.integers(0, 1800, size)
    else:
        hour = rng.choice(24, size=size, p=_norm(EVENING_HOURS))
        seconds = hour * 3600 + rng.integers(0, 3600, size)
    instants = day.astype("datetime64[s]") + seconds.astype("timedelta64[s]")
    return np.sort(instants)


def _norm(weights) -> np.ndarray:
    weights = np.asarray(weights, dtype=float)
    return weights / weights.sum()


def _first_id(model) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def _plan(target: cal.YearlyTarget, months: list[dt.date], scale: float) -> dict[dt.date, int]:
    """Events per simulated month: the year's scaled target split by the monthly profile."""
    plan = {}
    for year in sorted({m.year for m in months}):
        quota = _month_quota(round(float(target.for_year(year)) * scale), cal.MONTH_WEIGHTS)
        for month in months:
            if month.year == year:
                plan[month] = int(quota[month.month - 1])
    return plan


def _quota(plan: dict[dt.date, int], month: dt.date, share) -> int:
    """This month's part of the year's quota round(n × share %), by cumulative rounding so that
    the year's total is exact whatever the scale."""
    before = sum(n for m, n in plan.items() if m.year == month.year and m < month)
    ratio = float(share) / 100
    return round((before + plan[month]) * ratio) - round(before * ratio)


def _quota_mask(rng, size: int, count: int, among: np.ndarray | None = None) -> np.ndarray:
    """Exactly `count` True values, at random positions (within `among` when given)."""
    pool = np.arange(size) if among is None else among
    mask = np.zeros(size, dtype=bool)
    mask[rng.permutation(pool)[:count]] = True
    return mask


def simulate(
    *,
    first_month: dt.date,
    last_month: dt.date,
    seed: int,
    scale: float,
    progress: Callable[[str], None] = lambda note: None,
) -> dict[str, int]:
    rng = np.random.default_rng([seed, 5])
    months = []
    month = first_month
    while month <= last_month:
        months.append(month)
        month = clock.add_months(month, 1)
    now = clock.now()
    cutoff_day = now.date()  # events happen on days before "today"
    households = np.array(
        Household.objects.filter(is_synthetic=True).order_by("id").values_list("id", flat=True),
        dtype=np.int64,
    )
    if len(households) == 0:
        return {}
    when = _Clock()
    now_local = np.datetime64(now.replace(tzinfo=None), "s")
    counts = {}
    counts |= _calls(rng, months, scale, households, cutoff_day, now_local, when)
    progress(f"appels : {counts['appels']}")
    counts |= _emails(rng, months, scale, households, cutoff_day, now_local, when)
    progress(f"courriels : {counts['courriels reçus']}")
    counts |= _documents(rng, months, scale, households, cutoff_day, now_local, when)
    progress(f"documents : {counts['documents']}")
    counts |= _procedures(rng, months, scale, households, cutoff_day, when)
    progress(f"démarches : {counts['démarches']}")
    reset_sequences(Call, CallbackRequest, EmailThread, EmailMessage, Document, Procedure)
    return counts


def _calls(rng, months, scale, households, cutoff_day, now_local, when) -> dict[str, int]:
    plan = _plan(cal.CALLS_RECEIVED, months, scale)
    total = callbacks = 0
    callback_id = _first_id(CallbackRequest)
    call_base = _first_id(Call)
    for month in months:
        times = _times(rng, _days(month, cutoff_day, True), plan[month], office=True)
        n = len(times)
        answered = rng.random(n) < float(cal.CALL_ANSWER_RATE.for_year(month.year)) / 100
        wait = np.where(
            answered,
            np.clip(rng.lognormal(np.log(110), 0.9, n), 5, 1800),
            np.clip(rng.lognormal(np.log(160), 0.8, n), 5, 1800),
        ).astype(np.int64)
        talk = np.where(answered, np.clip(rng.lognormal(np.log(330), 0.6, n), 30, 3600), 0)
        identified = rng.random(n) < cal.CALLS_IDENTIFIED_SHARE
        household = np.where(identified, households[rng.integers(0, len(households), n)], -1)
        reason = np.where(identified, _pick(rng, cal.REASONS, n), "")
        phone = np.where(
            identified,
            (household % 10_000),
            rng.integers(0, 10_000, n),
        )
        stamps = when.strings(times)
        ids = call_base + total + np.arange(n)
        bulk_insert(
            Call,
            [
                "id",
                "call_id",
                "queue",
                "offered_at",
                "outcome",
                "wait_seconds",
                "talk_seconds",
                "caller_number",
                "household_id",
                "reason",
                "imported_at",
            ],
            zip(
                ids.tolist(),
                [f"J{month:%Y%m}-{k:06d}" for k in range(n)],
                _pick(rng, cal.CALL_QUEUES, n).tolist(),
                stamps,
                np.where(answered, "answered", "abandoned").tolist(),
                wait.tolist(),
                talk.astype(np.int64).tolist(),
                [f"+3319900{p:04d}" for p in phone.tolist()],
                [None if h < 0 else h for h in household.tolist()],
                reason.tolist(),
                stamps,
                strict=True,
            ),
        )
        # Some callers who gave up leave a call-back request (done the next working day).
        asks = np.flatnonzero(
            ~answered & identified & (rng.random(n) < cal.CALLBACK_SHARE_OF_ABANDONED)
        )
        done = times[asks] + np.timedelta64(26 * 3600, "s")
        done = np.where(done <= now_local, done, np.datetime64("NaT"))
        bulk_insert(
            CallbackRequest,
            [
                "id",
                "household_id",
                "call_id",
                "phone",
                "reason",
                "requested_at",
                "status",
                "done_at",
                "note",
            ],
            zip(
                (callback_id + callbacks + np.arange(len(asks))).tolist(),
                household[asks].tolist(),
                ids[asks].tolist(),
                [f"+3319900{p:04d}" for p in phone[asks].tolist()],
                reason[asks].tolist(),
                [stamps[i] for i in asks.tolist()],
                np.where(np.isnat(done), "open", "done").tolist(),
                when.strings(done),
                [""] * len(asks),
                strict=True,
            ),
        )
        total += n
        callbacks += len(asks)
    return {"appels": total, "demandes de rappel": callbacks}


def _emails(rng, months, scale, households, cutoff_day, now_local, when) -> dict[str, int]:
    plan = _plan(cal.EMAILS_HANDLED, months, scale)
    thread_base, message_base = _first_id(EmailThread), _first_id(EmailMessage)
    threads = messages = backlog_total = 0
    hol = holiday_array()
    reason_labels = dict(ContactReason.choices)
    last_month = months[-1]
    for month in months:
        days = _days(month, cutoff_day, False)
        received = _times(rng, days, plan[month], office=False)
        n = len(received)
        delay = rng.choice([0, 1, 2, 3, 4, 5, 8], size=n, p=[0.25, 0.3, 0.2, 0.1, 0.07, 0.05, 0.03])
        answer_day = np.busday_offset(
            received.astype("datetime64[D]"), delay, roll="forward", holidays=hol
        )
        answered = answer_day.astype("datetime64[s]") + (
            30_600 + rng.integers(0, 30_600, n)
        ).astype("timedelta64[s]")
        late = answered <= received
        answered[late] = received[late] + rng.integers(600, 7200, late.sum()).astype(
            "timedelta64[s]"
        )
        answered = np.minimum(answered, now_local - np.timedelta64(60, "s"))
        answered = np.maximum(answered, received + np.timedelta64(60, "s"))
        backlog = 0
        if month == last_month and clock.add_months(month, 1) > cutoff_day:
            # Messages of the last working days still waiting at the reference instant.
            backlog = round(
                float(cal.EMAILS_HANDLED.for_year(month.year)) * scale * cal.EMAIL_BACKLOG_SHARE
            )
            recent = _days(month, cutoff_day, True)[-5:]
            extra = _times(rng, recent, backlog, office=False)
            received = np.concatenate([received, extra])
            answered = np.concatenate(
                [answered, np.full(len(extra), np.datetime64("NaT"), "M8[s]")]
            )
        total = len(received)
        minutes = np.where(
            np.isnat(answered),
            -1,
            working_minutes_vector(received, np.where(np.isnat(answered), received, answered)),
        )
        identified = rng.random(total) < cal.EMAILS_IDENTIFIED_SHARE
        household = np.where(identified, households[rng.integers(0, len(households), total)], -1)
        reason = _pick(rng, cal.REASONS, total)
        thread_ids = thread_base + threads + np.arange(total)
        mail = [
            f"allocataire{h}@example.org" if h >= 0 else f"inconnu{t}@example.org"
            for h, t in zip(household.tolist(), thread_ids.tolist(), strict=True)
        ]
        subjects = [reason_labels[r] for r in reason.tolist()]
        received_s, answered_s = when.strings(received), when.strings(answered)
        bulk_insert(
            EmailThread,
            [
                "id",
                "household_id",
                "subject",
                "reason",
                "team",
                "opened_at",
                "status",
                "correspondent",
            ],
            zip(
                thread_ids.tolist(),
                [None if h < 0 else h for h in household.tolist()],
                subjects,
                reason.tolist(),
                [team_for(r) for r in reason.tolist()],
                received_s,
                np.where(np.isnat(answered), "waiting", "answered").tolist(),
                mail,
                strict=True,
            ),
        )
        inbound_ids = message_base + messages + np.arange(total)
        replied = np.flatnonzero(~np.isnat(answered))
        outbound_ids = message_base + messages + total + np.arange(len(replied))
        tag = f"{month:%Y%m}"
        rows = [
            (
                inbound_ids[i],
                thread_ids[i],
                "in",
                "mailbox",
                f"<jumeau-{tag}-{i}@example.org>",
                mail[i],
                cal_address(),
                subjects[i],
                "",
                received_s[i],
                answered_s[i],
                None if minutes[i] < 0 else int(minutes[i]),
            )
            for i in range(total)
        ]
        rows += [
            (
                outbound_ids[k],
                thread_ids[i],
                "out",
                "agent",
                f"<jumeau-{tag}-{i}-reponse@vienne.caf.example>",
                cal_address(),
                mail[i],
                f"RE : {subjects[i]}",
                "",
                answered_s[i],
                None,
                None,
            )
            for k, i in enumerate(replied.tolist())
        ]
        bulk_insert(
            EmailMessage,
            [
                "id",
                "thread_id",
                "direction",
                "source",
                "message_id",
                "sender",
                "recipient",
                "subject",
                "body",
                "at",
                "answered_at",
                "response_minutes",
            ],
            ((int(r[0]), int(r[1]), *r[2:]) for r in rows),
        )
        threads += total
        messages += total + len(replied)
        backlog_total += backlog
    return {"courriels reçus": threads, "courriels en attente": backlog_total, "messages": messages}


def cal_address() -> str:
    from justedroit.channels.services.emails import caf_address

    return caf_address()


def _documents(rng, months, scale, households, cutoff_day, now_local, when) -> dict[str, int]:
    plan = _plan(cal.DOCUMENTS_RECEIVED, months, scale)
    base = _first_id(Document)
    total = pending = 0
    hol = holiday_array()
    for month in months:
        n = plan[month]
        # Quotas of the month: paper share and automatic rate of its year.
        automatic = _quota_mask(rng, n, _quota(plan, month, cal.AUTO_RATE.for_year(month.year)))
        paper = _quota_mask(
            rng,
            n,
            _quota(plan, month, cal.PAPER_SHARE.for_year(month.year)),
            among=np.flatnonzero(~automatic),
        )
        received = np.empty(n, dtype="datetime64[s]")
        office = _times(rng, _days(month, cutoff_day, True), int(paper.sum()), office=True)
        online = _times(rng, _days(month, cutoff_day, False), int((~paper).sum()), office=False)
        if len(office) != paper.sum() or len(online) != (~paper).sum():
            continue  # the month has no day before the reference date
        received[paper], received[~paper] = office, online
        kind = np.where(
            automatic, "resources_declaration", _pick(rng, cal.DOCUMENT_KINDS_MANUAL, n)
        )
        delay = np.clip(rng.lognormal(np.log(6), 0.85, n), 0.2, 120)
        processed_day = np.busday_offset(
            (received + (delay * 86400).astype("timedelta64[s]")).astype("datetime64[D]"),
            0,
            roll="forward",
            holidays=hol,
        )
        processed = processed_day.astype("datetime64[s]") + (
            32_400 + rng.integers(0, 25_200, n)
        ).astype("timedelta64[s]")
        processed = np.where(processed > received, processed, received + np.timedelta64(3600, "s"))
        processed[automatic] = received[automatic] + np.timedelta64(300, "s")
        processed = np.where(processed <= now_local, processed, np.datetime64("NaT"))
        rejected = rng.random(n) < 0.06
        outcome = np.where(
            np.isnat(processed),
            "",
            np.where(automatic, "integrated", np.where(rejected, "rejected", "accepted")),
        )
        household = households[rng.integers(0, len(households), n)]
        bulk_insert(
            Document,
            [
                "id",
                "household_id",
                "channel",
                "kind",
                "routing",
                "received_at",
                "original_name",
                "stored_name",
                "content_type",
                "size",
                "sha256",
                "scan_result",
                "payload",
                "processed_at",
                "outcome",
                "note",
            ],
            zip(
                (base + total + np.arange(n)).tolist(),
                household.tolist(),
                np.where(paper, "paper", "online").tolist(),
                kind.tolist(),
                np.where(automatic, "automatic", "manual").tolist(),
                when.strings(received),
                np.where(
                    automatic, "", np.where(paper, "numerisation.pdf", "document.pdf")
                ).tolist(),
                [""] * n,
                np.where(automatic, "", "application/pdf").tolist(),
                np.where(automatic, 0, rng.integers(40_000, 3_000_000, n)).tolist(),
                [""] * n,
                np.where(automatic, "not_scanned", "clean").tolist(),
                ["{}"] * n,
                when.strings(processed),
                outcome.tolist(),
                np.where(outcome == "rejected", "Document illisible", "").tolist(),
                strict=True,
            ),
        )
        total += n
        pending += int(np.isnat(processed).sum())
    return {"documents": total, "documents en attente": pending}


def _procedures(rng, months, scale, households, cutoff_day, when) -> dict[str, int]:
    plan = _plan(cal.PROCEDURES, months, scale)
    base = _first_id(Procedure)
    total = 0
    benefits = np.array(Benefit.values, dtype=object)
    for month in months:
        n = plan[month]
        online = _quota_mask(rng, n, _quota(plan, month, cal.ONLINE_RATE.for_year(month.year)))
        submitted = np.empty(n, dtype="datetime64[s]")
        web = _times(rng, _days(month, cutoff_day, False), int(online.sum()), office=False)
        desk = _times(rng, _days(month, cutoff_day, True), int((~online).sum()), office=True)
        if len(web) != online.sum() or len(desk) != (~online).sum():
            continue
        submitted[online], submitted[~online] = web, desk
        kind = _pick(rng, cal.PROCEDURE_KINDS, n)
        channel = np.where(online, "online", _pick(rng, cal.PAPER_CHANNELS, n))
        benefit = np.where(kind == "claim", benefits[rng.integers(0, len(benefits), n)], "")
        bulk_insert(
            Procedure,
            ["id", "household_id", "kind", "channel", "benefit", "submitted_at"],
            zip(
                (base + total + np.arange(n)).tolist(),
                households[rng.integers(0, len(households), n)].tolist(),
                kind.tolist(),
                channel.tolist(),
                benefit.tolist(),
                when.strings(submitted),
                strict=True,
            ),
        )
        total += n
    return {"démarches": total}
