"""The e-mails, month by month: the year's published volume received at any hour, answered by an
agent after a few working days (the working-time clock of `core.calendar` measures the delay);
in the last month, a backlog still waits for its answer at the reference instant."""

import numpy as np

from justedroit.channels import calibration as cal
from justedroit.channels.models import ContactReason, EmailMessage, EmailThread, team_for
from justedroit.channels.services.emails import caf_address
from justedroit.core import clock
from justedroit.core.calendar import holiday_array, working_minutes_vector
from justedroit.core.db import bulk_insert_columns
from justedroit.twin.simulate.channels import sampling
from justedroit.twin.simulate.channels.parameters import PARAMETERS as P
from justedroit.twin.simulate.instants import stored


def simulate_emails(rng, months, scale, households, cutoff_day, now_local) -> dict[str, int]:
    planned = sampling.plan(cal.EMAILS_HANDLED, months, scale)
    thread_base, message_base = sampling.first_id(EmailThread), sampling.first_id(EmailMessage)
    threads = messages = backlog_total = 0
    reason_labels = dict(ContactReason.choices)
    caf = caf_address()
    for month in months:
        days = sampling.days(month, cutoff_day, False)
        received = sampling.times(rng, days, planned[month], office=False)
        answered = _answers(rng, received, now_local)
        backlog = 0
        if month == months[-1] and clock.add_months(month, 1) > cutoff_day:
            # Messages of the last working days still waiting at the reference instant.
            yearly = float(cal.EMAILS_HANDLED.for_year(month.year))
            backlog = round(yearly * scale * P.email_backlog_share)
            recent = sampling.days(month, cutoff_day, True)[-P.backlog_days :]
            extra = sampling.times(rng, recent, backlog, office=False)
            received = np.concatenate([received, extra])
            answered = np.concatenate(
                [answered, np.full(len(extra), np.datetime64("NaT"), "M8[s]")]
            )
        total = len(received)
        waiting = np.isnat(answered)
        minutes = np.where(
            waiting, -1, working_minutes_vector(received, np.where(waiting, received, answered))
        )
        identified = rng.random(total) < P.emails_identified_share
        household = np.where(identified, households[rng.integers(0, len(households), total)], -1)
        reason = sampling.pick(rng, P.reasons, total)
        thread_ids = thread_base + threads + np.arange(total)
        correspondent = [
            f"allocataire{h}@example.org" if h >= 0 else f"inconnu{t}@example.org"
            for h, t in zip(household.tolist(), thread_ids.tolist(), strict=True)
        ]
        subjects = [reason_labels[r] for r in reason.tolist()]
        received_at, answered_at = stored(received), stored(answered)
        bulk_insert_columns(
            EmailThread,
            {
                "id": thread_ids.tolist(),
                "household_id": [None if h < 0 else h for h in household.tolist()],
                "subject": subjects,
                "reason": reason.tolist(),
                "team": [team_for(r) for r in reason.tolist()],
                "opened_at": received_at,
                "status": np.where(waiting, "waiting", "answered").tolist(),
                "correspondent": correspondent,
            },
        )
        replied = np.flatnonzero(~waiting).tolist()
        tag = f"{month:%Y%m}"
        inbound = {
            "id": (message_base + messages + np.arange(total)).tolist(),
            "thread_id": thread_ids.tolist(),
            "direction": ["in"] * total,
            "source": ["mailbox"] * total,
            "message_id": [f"<jumeau-{tag}-{i}@example.org>" for i in range(total)],
            "sender": correspondent,
            "recipient": [caf] * total,
            "subject": subjects,
            "body": [""] * total,
            "at": received_at,
            "answered_at": answered_at,
            "response_minutes": [None if m < 0 else int(m) for m in minutes.tolist()],
        }
        outbound = {
            "id": (message_base + messages + total + np.arange(len(replied))).tolist(),
            "thread_id": [inbound["thread_id"][i] for i in replied],
            "direction": ["out"] * len(replied),
            "source": ["agent"] * len(replied),
            "message_id": [f"<jumeau-{tag}-{i}-reponse@vienne.caf.example>" for i in replied],
            "sender": [caf] * len(replied),
            "recipient": [correspondent[i] for i in replied],
            "subject": [f"RE : {subjects[i]}" for i in replied],
            "body": [""] * len(replied),
            "at": [answered_at[i] for i in replied],
            "answered_at": [None] * len(replied),
            "response_minutes": [None] * len(replied),
        }
        bulk_insert_columns(
            EmailMessage, {name: inbound[name] + outbound[name] for name in inbound}
        )
        threads += total
        messages += total + len(replied)
        backlog_total += backlog
    return {"courriels reçus": threads, "courriels en attente": backlog_total, "messages": messages}


def _answers(rng, received: np.ndarray, now_local) -> np.ndarray:
    """When each message is answered (Paris wall clock): after its delay in working days, during
    office hours, always after the message and before the reference instant."""
    n = len(received)
    delay = rng.choice(list(P.reply_days), size=n, p=list(P.reply_days.values()))
    answer_day = np.busday_offset(
        received.astype("datetime64[D]"), delay, roll="forward", holidays=holiday_array()
    )
    answered = answer_day.astype("datetime64[s]") + (
        P.reply_from + rng.integers(0, P.reply_window, n)
    ).astype("timedelta64[s]")
    late = answered <= received
    answered[late] = received[late] + rng.integers(*P.same_day_reply, late.sum()).astype(
        "timedelta64[s]"
    )
    answered = np.minimum(answered, now_local - np.timedelta64(60, "s"))
    return np.maximum(answered, received + np.timedelta64(60, "s"))
