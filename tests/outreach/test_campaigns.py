"""The non-take-up datamining on the small twin: whole-file screening with the engine, the
documented selection criteria, the comparison group drawn at random, the explanation stored."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from justedroit.core.models import AuditEvent
from justedroit.entitlements.explain import household_explanation
from justedroit.entitlements.services import cut_off
from justedroit.entitlements.situations import claimed_benefits
from justedroit.outreach.models import Candidate, CandidateGroup, ContactChannel, OptOutSource
from justedroit.outreach.services import campaigns
from justedroit.registry.models import Claim, ClaimStatus, ContactKind, ContactPoint, Household

pytestmark = pytest.mark.django_db
JUNE = dt.date(2022, 6, 1)
AS_OF = cut_off(JUNE)
# The small twin's facts are recorded when it is built: a window wide enough to keep them.
WIDE = campaigns.Criteria(data_max_age_months=36, comparison_share=Decimal("0.2"))


@pytest.fixture(scope="module")
def screening(twin_module):
    return campaigns.screen(month=JUNE, as_of=AS_OF, workers=1)


def plan(screening, criteria=WIDE, seed=7, name="Prime d'activité juin 2022"):
    return campaigns.campaign_plan(
        name=name,
        month=JUNE,
        as_of=AS_OF,
        criteria=criteria,
        seed=seed,
        acting_user=None,
        screening=screening,
    )


@pytest.fixture(scope="module")
def _planned(screening):
    return plan(screening)


@pytest.fixture
def planned(_planned, small_twin):
    """The campaign with the wide criteria and seed 7, planned once for the module (each plan
    explains every candidate with the engine); a test's writes to it are undone after it."""
    return _planned


def test_the_screening_finds_unclaimed_rights_of_the_whole_file(small_twin, screening):
    claims = claimed_benefits(JUNE)
    assert screening.computed == len(claims) - screening.errors > 900
    numbers = dict(Household.objects.values_list("number", "id"))
    assert screening.unclaimed
    for number, unclaimed in screening.unclaimed.items():
        assert all(amount > 0 for amount in unclaimed.values())
        assert not set(unclaimed) & claims[numbers[number]]  # a claimed benefit is not unclaimed
    assert any("ppa" in unclaimed for unclaimed in screening.unclaimed.values())


def test_a_campaign_stores_each_candidate_with_the_engines_estimate_and_explanation(
    planned, screening
):
    campaign = planned
    candidates = list(campaign.candidates.select_related("household"))
    assert candidates and campaign.screened == screening.computed
    for candidate in candidates:
        assert candidate.estimated_amount >= WIDE.min_amount
        assert candidate.estimated_amount == screening.unclaimed[candidate.household.number]["ppa"]
        assert "ppa" not in candidate.explanation["claims"]
        assert candidate.explanation["eligible"]["ppa"] == str(candidate.estimated_amount)
        assert any(k.startswith("ppa_fictive") for k in candidate.explanation["intermediates"])
        assert "prime d'activité" in candidate.explanation["text"]
    # The household-by-household explanation of the engine gives the same amount.
    first = candidates[0]
    alone = household_explanation(household=first.household, month=JUNE, as_of=AS_OF)
    assert alone["amounts"]["ppa"]["eligible"] == str(first.estimated_amount)
    assert AuditEvent.objects.filter(
        object_type="outreach.Campaign", object_id=str(campaign.pk), action="create"
    ).exists()


def test_the_comparison_group_is_drawn_at_random_reproducibly(planned, screening):
    first = planned
    n = first.candidates.count()
    comparison = set(
        first.candidates.filter(group=CandidateGroup.COMPARISON).values_list(
            "household_id", flat=True
        )
    )
    assert len(comparison) == round(n * Decimal("0.2")) > 0
    again = plan(screening, seed=7, name="même graine")
    assert comparison == set(
        again.candidates.filter(group=CandidateGroup.COMPARISON).values_list(
            "household_id", flat=True
        )
    )
    other = plan(screening, seed=8, name="autre graine")
    assert comparison != set(
        other.candidates.filter(group=CandidateGroup.COMPARISON).values_list(
            "household_id", flat=True
        )
    )


def test_the_criteria_exclude_and_count_what_they_exclude(planned, screening):
    everyone = planned
    ids = list(everyone.candidates.order_by("id").values_list("household_id", flat=True))
    pending, opted_out, contacted = ids[0], ids[1], ids[2]
    Claim.objects.create(
        household_id=pending,
        benefit="ppa",
        start_month=JUNE,
        status=ClaimStatus.PENDING,
        recorded_at=AS_OF,
    )
    campaigns.opt_out_record(
        household=Household.objects.get(pk=opted_out),
        source=OptOutSource.AGENT,
        acting_user=None,
    )
    Candidate.objects.filter(campaign=everyone, household_id=contacted).update(
        group=CandidateGroup.CONTACTED, contacted_at=AS_OF - dt.timedelta(days=30)
    )
    again = plan(screening, name="deuxième")
    kept = set(again.candidates.values_list("household_id", flat=True))
    assert kept == set(ids) - {pending, opted_out, contacted}
    assert again.excluded["open_claim"] == again.excluded["opted_out"] == 1
    assert again.excluded["contacted_recently"] == 1
    # A higher minimum amount and a narrower data window select fewer households.
    strict = plan(
        screening,
        criteria=campaigns.Criteria(min_amount=Decimal("150"), data_max_age_months=36),
        name="150 €",
    )
    assert set(strict.candidates.values_list("household_id", flat=True)) < kept
    assert strict.excluded["below_min_amount"] > 0
    stale = plan(screening, criteria=campaigns.Criteria(data_max_age_months=1), name="récentes")
    assert stale.excluded["data_too_old"] > 0


def test_the_contact_plan_uses_the_mobile_when_one_is_known(planned, screening):
    household_id = planned.candidates.values_list("household_id", flat=True).first()
    ContactPoint.objects.create(
        household_id=household_id,
        kind=ContactKind.MOBILE,
        value="+33612345678",
        source="declared",
        recorded_at=AS_OF,
    )
    campaign = plan(screening, name="avec mobile")
    by_channel = dict(campaign.candidates.values_list("household_id", "channel"))
    assert by_channel.pop(household_id) == ContactChannel.SMS
    assert set(by_channel.values()) == {ContactChannel.PHONE}
    assert campaign.candidates.get(household_id=household_id).mobile == "+33612345678"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("benefit", "nope", "Prestation inconnue"),
        ("min_amount", Decimal("-1"), "Montant minimal"),
        ("data_max_age_months", 0, "Ancienneté"),
        ("comparison_share", Decimal("0.5"), "groupe de comparaison"),
    ],
)
def test_bad_criteria_are_refused_in_french(field, value, message):
    with pytest.raises(ValidationError, match=message):
        campaigns.Criteria(**{field: value}).check()
