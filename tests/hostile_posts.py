"""Posting hostile input to a page (fuzzed with Hypothesis): the page either makes the change and
redirects, or says why not in French and writes nothing — never a 500.

Each example runs in a transaction rolled back after it (`rolled_back`), so that one example never
sees another's rows; the clients log in before."""

from django.contrib.messages import get_messages
from hypothesis import strategies as st

from justedroit.core.models import AuditAction, AuditEvent
from tests.channels.conftest import rolled_back, table_counts

# The audit rows of a page shown again (its consultation) are written whatever the outcome.
CONSULTATIONS = {"core.AuditEvent", "core.AuditEventHousehold"}
# Junk any field may receive instead of a valid value.
JUNK = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["", "0", "-1", "9" * 20, "1e9", "2023-02-30", "\x00", "é" * 400]),
)
OMITTED = object()


def field(*valid) -> st.SearchStrategy:
    """A field's value: one of the `valid` ones, junk, or no field at all."""
    return st.one_of(st.sampled_from(valid), JUNK, st.just(OMITTED))


def _written() -> dict[str, int]:
    counts = {label: n for label, n in table_counts().items() if label not in CONSULTATIONS}
    counts["audited changes"] = AuditEvent.objects.exclude(
        action__in=[AuditAction.VIEW, AuditAction.SEARCH]
    ).count()
    return counts


def post_hostile(client, url: str, data: dict) -> int:
    """Post `data` (fields `OMITTED` left out) and check the answer; return its status. A redirect
    without an error message made a change; a refusal (a 400 or 200 page with its French error, a
    redirect with an error message, a 404 for what does not exist) wrote nothing."""
    data = {key: value for key, value in data.items() if value is not OMITTED}
    with rolled_back():
        before = _written()
        response = client.post(url, data)
        status = response.status_code
        assert status in (200, 302, 400, 404), (data, status)
        errors = [m for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
        if status == 302 and not errors:
            assert _written() != before, data  # the change is made
            return status
        assert _written() == before, data
        if status in (200, 400):
            body = response.content.decode()
            assert 'role="alert"' in body or "message error" in body, data
        if errors:
            assert all(str(message).strip() for message in errors)
    return status
