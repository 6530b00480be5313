"""The documents received, month by month: paper (scanned at the office) or online; the
structured resources declarations are integrated automatically (their facts are already in the
registry, written by `twin build`), the others processed by an agent after a few working days;
documents still waiting at the reference instant have no outcome yet."""

import numpy as np

from justedroit.channels import calibration as cal
from justedroit.channels.models import Document
from justedroit.core.calendar import holiday_array
from justedroit.core.db import bulk_insert_columns
from justedroit.twin.simulate.channels import sampling
from justedroit.twin.simulate.channels.parameters import PARAMETERS as P
from justedroit.twin.simulate.instants import stored


def simulate_documents(rng, months, scale, households, cutoff_day, now_local) -> dict[str, int]:
    planned = sampling.plan(cal.DOCUMENTS_RECEIVED, months, scale)
    base = sampling.first_id(Document)
    total = pending = 0
    for month in months:
        n = planned[month]
        # Quotas of the month: paper share and automatic rate of its year.
        automatic = sampling.quota_mask(
            rng, n, sampling.quota(planned, month, cal.AUTO_RATE.for_year(month.year))
        )
        paper = sampling.quota_mask(
            rng,
            n,
            sampling.quota(planned, month, cal.PAPER_SHARE.for_year(month.year)),
            among=np.flatnonzero(~automatic),
        )
        received = np.empty(n, dtype="datetime64[s]")
        working_days = sampling.days(month, cutoff_day, True)
        office = sampling.times(rng, working_days, int(paper.sum()), office=True)
        all_days = sampling.days(month, cutoff_day, False)
        online = sampling.times(rng, all_days, int((~paper).sum()), office=False)
        if len(office) != paper.sum() or len(online) != (~paper).sum():
            continue  # the month has no day before the reference date
        received[paper], received[~paper] = office, online
        kind = np.where(
            automatic, "resources_declaration", sampling.pick(rng, P.document_kinds_manual, n)
        )
        processed = _processed(rng, received, automatic, now_local)
        rejected = rng.random(n) < P.rejected_share
        outcome = np.where(
            np.isnat(processed),
            "",
            np.where(automatic, "integrated", np.where(rejected, "rejected", "accepted")),
        )
        household = households[rng.integers(0, len(households), n)]
        bulk_insert_columns(
            Document,
            {
                "id": (base + total + np.arange(n)).tolist(),
                "household_id": household.tolist(),
                "channel": np.where(paper, "paper", "online").tolist(),
                "kind": kind.tolist(),
                "routing": np.where(automatic, "automatic", "manual").tolist(),
                "received_at": stored(received),
                "original_name": np.where(
                    automatic, "", np.where(paper, "numerisation.pdf", "document.pdf")
                ).tolist(),
                "stored_name": [""] * n,
                "content_type": np.where(automatic, "", "application/pdf").tolist(),
                "size": np.where(automatic, 0, rng.integers(*P.document_bytes, n)).tolist(),
                "sha256": [""] * n,
                "scan_result": np.where(automatic, "not_scanned", "clean").tolist(),
                "payload": ["{}"] * n,
                "processed_at": stored(processed),
                "outcome": outcome.tolist(),
                "note": np.where(outcome == "rejected", "Document illisible", "").tolist(),
            },
        )
        total += n
        pending += int(np.isnat(processed).sum())
    return {"documents": total, "documents en attente": pending}


def _processed(rng, received: np.ndarray, automatic: np.ndarray, now_local) -> np.ndarray:
    """When each document is processed (Paris wall clock, NaT if not yet at the reference
    instant): a few minutes after it arrives when automatic, else during office hours on the
    working day its delay ends."""
    n = len(received)
    delay = np.clip(
        rng.lognormal(np.log(P.processing_days[0]), P.processing_days[1], n),
        *P.processing_days_bounds,
    )
    processed_day = np.busday_offset(
        (received + (delay * 86400).astype("timedelta64[s]")).astype("datetime64[D]"),
        0,
        roll="forward",
        holidays=holiday_array(),
    )
    processed = processed_day.astype("datetime64[s]") + (
        P.processing_from + rng.integers(0, P.processing_window, n)
    ).astype("timedelta64[s]")
    processed = np.where(processed > received, processed, received + np.timedelta64(3600, "s"))
    processed[automatic] = received[automatic] + np.timedelta64(P.automatic_after, "s")
    return np.where(processed <= now_local, processed, np.datetime64("NaT"))
