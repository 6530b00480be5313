"""The targets of the DQI process map, edited in the app: by the process's pilot (or the
direction) only, a source with every target, a value sensible for the indicator's unit, each
change kept in the target's history and audited with the old and the new target; bad input
writes nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from justedroit.core.models import AuditEvent
from justedroit.core.roles import Role
from justedroit.quality import services
from justedroit.quality.models import Process, ProcessIndicator, TargetChange

pytestmark = pytest.mark.django_db
URL = reverse("quality:process", args=["telephone"])
COG = "Cible COG historique (docs INDICATORS.md)"


@pytest.fixture
def calls(piloted):
    """« Taux de décroché » (%), seeded with a target of 90 and its source."""
    return piloted.indicators.get(code="call_answer_rate")


def _post(binding, target: str, source: str, **extra) -> dict:
    prefix = f"cible-{binding.pk}"
    return {
        "form": "target",
        "indicator": binding.pk,
        f"{prefix}-target": target,
        f"{prefix}-target_source": source,
        **extra,
    }


def _state() -> tuple:
    """Everything a refused change must leave as it was."""
    return (
        list(ProcessIndicator.objects.order_by("pk").values_list("target", "target_source")),
        TargetChange.objects.count(),
        AuditEvent.objects.filter(object_type="quality.ProcessIndicator").count(),
    )


def test_the_pilot_sets_a_target_kept_in_history_and_audited(client, calls):
    client.force_login(calls.process.pilot)
    response = client.post(URL, _post(calls, "92.5", " COG 2023-2027 "), follow=True)
    assert response.redirect_chain == [(URL, 302)]
    page = response.content.decode()
    assert "Cible de « Taux de décroché » fixée à 92,50 % (source : COG 2023-2027)." in page
    calls.refresh_from_db()
    assert (calls.target, calls.target_source) == (Decimal("92.50"), "COG 2023-2027")
    change = TargetChange.objects.get()
    assert (change.previous_target, change.previous_source) == (Decimal("90.00"), COG)
    assert (change.target, change.changed_by) == (Decimal("92.50"), calls.process.pilot)
    event = AuditEvent.objects.get(object_type="quality.ProcessIndicator")
    assert (event.actor, event.action, event.object_id) == (
        calls.process.pilot,
        "update",
        str(calls.pk),
    )
    assert event.detail == {
        "process": "telephone",
        "indicator": "call_answer_rate",
        "old": {"target": "90.00", "source": COG},
        "new": {"target": "92.50", "source": "COG 2023-2027"},
    }
    # A second change: the history keeps both, newest first, on the page under the form.
    cleared = client.post(URL, _post(calls, "", ""), follow=True)
    assert "Cible de « Taux de décroché » retirée." in cleared.content.decode()
    calls.refresh_from_db()
    assert (calls.target, calls.target_source) == (None, "")
    assert list(TargetChange.objects.values_list("target", "previous_target")) == [
        (None, Decimal("92.50")),
        (Decimal("92.50"), Decimal("90.00")),
    ]
    page = client.get(URL).content.decode()
    history = page.split("Historique des cibles de « Taux de décroché »")[1].split("</table>")[0]
    assert history.index("retirée") < history.index("COG historique")
    assert history.count("pilote-tel") == 2


def test_the_direction_sets_a_target_too(client, make_user, calls):
    client.force_login(make_user(Role.DIRECTOR, username="dir-2"))
    assert client.post(URL, _post(calls, "95", "Décision de la direction")).status_code == 302
    assert ProcessIndicator.objects.get(pk=calls.pk).target == Decimal("95")


@pytest.mark.parametrize("role", sorted(set(Role) - {Role.DIRECTOR}))
def test_no_one_else_sets_a_target(client, make_user, calls, role):
    """A pilot of another process, a case worker, a manager…: 403, nothing written."""
    client.force_login(make_user(role, username=f"x-{role.value}"))
    before = _state()
    assert client.post(URL, _post(calls, "80", "Ailleurs")).status_code == 403
    assert _state() == before


def test_a_pilot_of_another_process_is_refused_by_the_page_and_the_service(
    client, make_user, calls
):
    other = make_user(Role.PROCESS_PILOT, username="pilote-docs")
    services.process_pilot_assign(
        process=Process.objects.get(code="documents"),
        pilot=other,
        acting_user=make_user(Role.DIRECTOR, username="dir-2"),
    )
    before = _state()
    client.force_login(other)
    assert client.post(URL, _post(calls, "80", "Ailleurs")).status_code == 403
    with pytest.raises(PermissionDenied):
        services.indicator_target_set(
            indicator=calls, target=Decimal("80"), source="Ailleurs", acting_user=other
        )
    assert _state() == before


def test_a_target_without_a_source_is_refused_in_french(client, calls):
    client.force_login(calls.process.pilot)
    before = _state()
    response = client.post(URL, _post(calls, "95", "   "))
    assert response.status_code == 400
    assert "Indiquez la source de la cible" in response.content.decode()
    assert _state() == before
    with pytest.raises(ValidationError, match="Indiquez la source de la cible"):
        services.indicator_target_set(
            indicator=calls, target=Decimal("95"), source="", acting_user=calls.process.pilot
        )
    assert _state() == before


@pytest.mark.parametrize(
    ("code", "target", "message"),
    [
        ("call_answer_rate", "100.01", "entre 0 et 100"),
        ("call_answer_rate", "-1", "positif ou nul"),
        ("call_answer_rate", "90.005", "deux décimales"),
        ("call_answer_rate", "NaN", "est un nombre"),
        ("call_answer_rate", "Infinity", "est un nombre"),
        ("calls_received", "1000000000000", "trop grande"),
        ("call_answer_rate", "90", "inchangées"),
    ],
)
def test_a_target_out_of_the_units_bounds_is_refused(piloted, code, target, message):
    binding = piloted.indicators.get(code=code)
    source = COG if code == "call_answer_rate" else "Contrat"
    before = _state()
    with pytest.raises(ValidationError, match=message):
        services.indicator_target_set(
            indicator=binding, target=Decimal(target), source=source, acting_user=piloted.pilot
        )
    assert _state() == before


def test_a_count_may_exceed_a_hundred(piloted):
    received = piloted.indicators.get(code="calls_received")
    services.indicator_target_set(
        indicator=received, target=Decimal("250000"), source="Contrat", acting_user=piloted.pilot
    )
    assert ProcessIndicator.objects.get(pk=received.pk).target == Decimal("250000")


def test_an_indicator_of_another_process_is_a_bad_request(client, calls):
    elsewhere = ProcessIndicator.objects.exclude(process=calls.process).first()
    client.force_login(calls.process.pilot)
    before = _state()
    for indicator in (elsewhere.pk, "", "x", "-1"):
        data = _post(elsewhere, "50", "Contrat") | {"indicator": indicator}
        response = client.post(URL, data)
        assert response.status_code == 400
        assert escape("n'est pas rattaché à ce processus") in response.content.decode()
    assert _state() == before


def test_the_form_is_labelled_in_a_fieldset(client, calls):
    client.force_login(calls.process.pilot)
    page = client.get(URL).content.decode()
    assert "<legend>Cible de « Taux de décroché » (à la hausse attendue)</legend>" in page
    assert f'<label for="id_cible-{calls.pk}-target">Cible (%)' in page
    assert f'<label for="id_cible-{calls.pk}-target_source">Source de la cible' in page


TEXT = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "0", "90", "92.5", "100", "100.01", "-3", "1e3", "NaN", "9" * 20, "1,5"]),
)


def test_the_target_form_never_fails_on_hostile_input(client, calls):
    """Whatever is posted: a redirect after a write, or a 400 in French that wrote nothing."""
    client.force_login(calls.process.pilot)
    other = ProcessIndicator.objects.exclude(process=calls.process).first().pk
    indicators = st.sampled_from([str(calls.pk), str(other), "", "abc"])

    @hypothesis_settings(suppress_health_check=list(HealthCheck), deadline=None, max_examples=80)
    @given(indicator=indicators, target=TEXT, source=TEXT)
    def post(indicator, target, source):
        before = _state()
        response = client.post(URL, _post(calls, target, source, indicator=indicator))
        assert response.status_code in (302, 400), (indicator, target, source)
        if response.status_code == 400:
            assert _state() == before
            assert 'role="alert"' in response.content.decode()
        else:
            assert TargetChange.objects.count() == before[1] + 1

    post()
