"""Sanctions: one test per legal rule, each citing its article (../shared/design/LEGAL-RULES.md)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from justedroit.core import clock
from justedroit.fraud import parameters, services
from justedroit.fraud.models import (
    Complaint,
    ComplaintStatus,
    FraudEventKind,
    FraudOutcome,
    FraudSanction,
    FraudStatus,
    IntentElement,
    Qualification,
    SanctionKind,
)
from justedroit.fraud.pmss import PMSS
from tests.fraud.test_files import open_from_control, qualify

pytestmark = pytest.mark.django_db
D = Decimal


def at(year, month, day):
    return clock.frozen(dt.datetime(year, month, day, 9))


# ---- pure parameters -------------------------------------------------------------------------
def test_pmss_of_each_year_is_a_sourced_parameter_arretes():
    """PMSS 2021 / 2022 / 2023 = 3 428 / 3 428 / 3 666 € (arrêtés du 22/12/2020, 15/12/2021,
    09/12/2022)."""
    assert [parameters.pmss(y) for y in (2021, 2022, 2023)] == [D(3428), D(3428), D(3666)]
    assert all(p.source.startswith("arrêté du") for p in PMSS.values())
    with pytest.raises(ValidationError, match="inconnu"):
        parameters.pmss(1999)


def test_L114_17_penalty_bounds_by_year():
    """Art. L114-17 I CSS: ≤ 4 PMSS; doubled on repeat; with intent 1/30 to 8 PMSS; organised
    16 PMSS (13 712 / 27 424 / 54 848 € in 2022; 114.27 € floor, 122.20 € in 2023)."""
    fault = parameters.penalty_bounds(year=2022, intent=False, organised=False, repeat=False)
    assert (fault.floor, fault.ceiling) == (D("0.00"), D(13712))
    repeat = parameters.penalty_bounds(year=2022, intent=False, organised=False, repeat=True)
    assert repeat.ceiling == D(27424)
    intent = parameters.penalty_bounds(year=2022, intent=True, organised=False, repeat=False)
    assert (intent.floor, intent.ceiling) == (D("114.27"), D(27424))
    organised = parameters.penalty_bounds(year=2022, intent=True, organised=True, repeat=False)
    assert organised.ceiling == D(54848)
    assert parameters.penalty_bounds(year=2023, intent=True, organised=False, repeat=False).floor
    assert parameters.penalty_bounds(
        year=2023, intent=True, organised=True, repeat=False
    ).ceiling == D(58656)


def test_the_cafs_scale_stays_within_the_legal_bounds_L114_17():
    """Art. L114-17 I CSS: whatever the prejudice, the scale proposes an amount within bounds."""
    for year in PMSS:
        on = dt.date(year, 12, 31)
        if on < parameters.SCALE[0].valid_from:
            continue
        for intent in (False, True):
            for organised in (False, True) if intent else (False,):
                for repeat in (False, True):
                    bounds = parameters.penalty_bounds(
                        year=year, intent=intent, organised=organised, repeat=repeat
                    )
                    for prejudice in (D(0), D(999), D(4000), D(14999), D(10**6)):
                        amount = parameters.scale_proposal(
                            on=on,
                            prejudice=prejudice,
                            intent=intent,
                            organised=organised,
                            repeat=repeat,
                        )
                        assert bounds.floor <= amount <= bounds.ceiling


# ---- the procedure ---------------------------------------------------------------------------
@pytest.fixture
def fraud_file(fraud_control, controller):
    file = open_from_control(fraud_control, controller)
    qualify(file, controller)
    return file


def notify(file, controller, amount=None, when=(2022, 8, 2)):
    with at(*when):
        return services.notice_send(file=file, amount=amount, acting_user=controller)


def to_decision(file, controller, director):
    notify(file, controller, amount=D(500))
    with at(2022, 9, 3):
        services.commission_refer(file=file, acting_user=director)
    with at(2022, 9, 20):
        services.commission_opinion_record(
            file=file, opinion="Avis favorable.", amount=D(400), acting_user=controller
        )
    file.refresh_from_db()
    return file


def test_R114_11_one_month_for_observations_then_commission_then_director(
    fraud_file, controller, director
):
    """Art. R114-11 CSS: notice, one month for observations or a hearing, the commission's
    opinion, the director's decision within a month of it, payment within two months."""
    notify(fraud_file, controller)
    fraud_file.refresh_from_db()
    assert fraud_file.status == FraudStatus.NOTIFIED and fraud_file.due == dt.date(2022, 9, 2)
    assert fraud_file.proposed_amount >= D("114.27")  # the scale's proposal, within bounds
    with at(2022, 8, 10), pytest.raises(ValidationError, match="observations jusqu'au 02/09"):
        services.commission_refer(file=fraud_file, acting_user=director)
    with at(2022, 8, 12):
        services.observations_record(
            file=fraud_file, text="Je conteste.", channel="portal", hearing=True, acting_user=None
        )
    with at(2022, 9, 3), pytest.raises(ValidationError, match="expiré le 02/09/2022"):
        services.observations_record(
            file=fraud_file, text="Trop tard.", channel="paper", hearing=False, acting_user=None
        )
    with at(2022, 8, 13):
        services.commission_refer(file=fraud_file, acting_user=director)
        with pytest.raises(ValidationError, match="directeur"):
            services.sanction_decide(
                file=fraud_file,
                kind=SanctionKind.PENALTY,
                amount=D(500),
                reasons="x",
                acting_user=controller,
            )
    with at(2022, 9, 1):
        services.commission_opinion_record(
            file=fraud_file, opinion="Avis conforme.", amount=None, acting_user=controller
        )
    fraud_file.refresh_from_db()
    assert fraud_file.status == FraudStatus.DECISION and fraud_file.due == dt.date(2022, 10, 1)
    with at(2022, 9, 15):
        services.sanction_decide(
            file=fraud_file,
            kind=SanctionKind.PENALTY,
            amount=D(800),
            reasons="Fraude établie.",
            acting_user=director,
        )
    fraud_file.refresh_from_db()
    sanction = fraud_file.sanction
    assert fraud_file.status == FraudStatus.PAYMENT and fraud_file.due == dt.date(2022, 11, 15)
    assert (sanction.pmss, sanction.floor, sanction.ceiling) == (D(3428), D("114.27"), D(27424))
    with at(2022, 10, 1):
        services.payment_record(file=fraud_file, acting_user=controller)
    fraud_file.refresh_from_db()
    assert fraud_file.outcome == FraudOutcome.PENALTY_PAID


def test_R114_11_a_decision_after_the_deadline_is_refused_and_the_procedure_lapses(
    fraud_file, controller, director
):
    """Art. R114-11 CSS: the director decides within one month of the commission's opinion, or
    the procedure lapses; a late decision is refused with its reason."""
    to_decision(fraud_file, controller, director)
    assert fraud_file.due == dt.date(2022, 10, 20)
    with at(2022, 10, 21), pytest.raises(ValidationError, match="caduque"):
        services.sanction_decide(
            file=fraud_file,
            kind=SanctionKind.PENALTY,
            amount=D(400),
            reasons="x",
            acting_user=director,
        )
    assert services.fraud_deadlines_apply(today=dt.date(2022, 10, 21), acting_user=None) == {
        "opinions_deemed": 0,
        "lapsed": 1,
        "penalties_to_recovery": 0,
        "penalties_left": 0,
    }
    fraud_file.refresh_from_db()
    assert fraud_file.outcome == FraudOutcome.LAPSED
    assert not FraudSanction.objects.exists()


def test_R114_11_a_silent_commission_is_deemed_to_have_given_its_opinion(
    fraud_file, controller, director
):
    notify(fraud_file, controller, amount=D(500))
    with at(2022, 9, 3):
        services.commission_refer(file=fraud_file, acting_user=director)
    services.fraud_deadlines_apply(today=dt.date(2022, 10, 4), acting_user=None)
    fraud_file.refresh_from_db()
    assert fraud_file.status == FraudStatus.DECISION and fraud_file.due == dt.date(2022, 11, 3)
    assert fraud_file.events.filter(kind=FraudEventKind.OPINION_DEEMED).exists()


def test_L114_17_a_penalty_outside_the_years_bounds_is_refused_by_the_service(
    fraud_file, controller, director
):
    """Art. L114-17 I CSS: with intent, between 1/30 PMSS and 8 PMSS of the year."""
    with pytest.raises(ValidationError, match="bornes légales de 2022"):
        notify(fraud_file, controller, amount=D("27424.01"))
    with pytest.raises(ValidationError, match=r"entre 114,27 € et 27\S*424,00 €"):
        notify(fraud_file, controller, amount=D("114.26"))
    to_decision(fraud_file, controller, director)
    with at(2022, 10, 1), pytest.raises(ValidationError, match="bornes"):
        services.sanction_decide(
            file=fraud_file,
            kind=SanctionKind.PENALTY,
            amount=D("30000"),
            reasons="x",
            acting_user=director,
        )


def test_L114_17_the_database_refuses_a_penalty_outside_its_bounds(fraud_file, director):
    """Art. L114-17 I CSS, below the service: the stored bound, the PMSS of its year and the
    amount are checked by the database."""
    legal = {
        "file": fraud_file,
        "kind": SanctionKind.PENALTY,
        "amount": D(1000),
        "year": 2022,
        "pmss": D(3428),
        "floor": D("114.27"),
        "ceiling_multiple": 8,
        "ceiling": D(27424),
        "article": "L114-17",
        "reasons": "x",
        "decided_at": clock.now(),
        "decided_by": director,
    }
    for wrong in (
        {"amount": D("27424.01")},  # above the ceiling
        {"amount": D("100")},  # below the floor
        {"pmss": D(3666), "ceiling": D(29328)},  # not 2022's PMSS
        {"ceiling_multiple": 32, "ceiling": D(109696), "amount": D(50000)},  # no such ceiling
        {"ceiling": D(30000)},  # ceiling not a multiple of the PMSS
        {"floor": D(50), "amount": D(60)},  # floor not 1/30 of the PMSS
        {"kind": SanctionKind.WARNING},  # a warning has no amount
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            FraudSanction.objects.create(**(legal | wrong))
    FraudSanction.objects.create(**legal)


def test_L114_17_the_ceiling_is_doubled_on_a_repeat_within_three_years(
    fraud_control, controller, director
):
    """Art. L114-17 I CSS (and R114-14): the ceiling without intent, 4 PMSS, is doubled when a
    penalty was pronounced against the household in the 3 years before."""
    file = open_from_control(fraud_control, controller)
    qualify(file, controller, Qualification.FAULT)
    with at(2022, 8, 2):
        assert services._bounds(file, clock.today()).ceiling == D(13712)
        FraudSanction.objects.create(
            file=services.fraud_file_open(
                household=file.household,
                report="Antécédent.",
                facts="Antécédent.",
                first_month=dt.date(2022, 1, 1),
                last_month=dt.date(2022, 1, 1),
                acting_user=controller,
            ),
            kind=SanctionKind.WARNING,
            amount=0,
            year=2022,
            pmss=D(3428),
            floor=0,
            ceiling_multiple=4,
            ceiling=D(13712),
            article="L114-17",
            reasons="x",
            decided_at=clock.now(),
            decided_by=director,
        )
        assert services._bounds(file, clock.today()).ceiling == D(13712)  # a warning: no repeat
    earlier = FraudSanction.objects.get()
    with at(2022, 8, 2):
        FraudSanction.objects.create(
            file=services.fraud_file_open(
                household=file.household,
                report="Antécédent pénalisé.",
                facts="Antécédent.",
                first_month=dt.date(2022, 2, 1),
                last_month=dt.date(2022, 2, 1),
                acting_user=controller,
            ),
            kind=SanctionKind.PENALTY,
            amount=D(500),
            year=2022,
            pmss=D(3428),
            floor=0,
            ceiling_multiple=4,
            ceiling=D(13712),
            article="L114-17",
            reasons="x",
            decided_at=clock.now(),
            decided_by=director,
        )
        assert earlier.kind == SanctionKind.WARNING
        assert services._bounds(file, clock.today()).ceiling == D(27424)
    with at(2025, 8, 3):
        assert not services.is_repeat(file, clock.today())


def test_L114_17_a_warning_is_possible_only_since_16_december_2020(
    fraud_file, controller, director
):
    """Art. L114-17 I CSS (loi n° 2020-1576): the avertissement instead of a penalty."""
    notify(fraud_file, controller, amount=D(500))
    with (
        at(2020, 12, 15),
        pytest.raises(ValidationError, match="16/12/2020"),
    ):
        services.sanction_decide(
            file=fraud_file,
            kind=SanctionKind.WARNING,
            amount=D(0),
            reasons="x",
            acting_user=director,
        )
    with at(2022, 9, 5):
        services.sanction_decide(
            file=fraud_file,
            kind=SanctionKind.WARNING,
            amount=D(0),
            reasons="Premier manquement.",
            acting_user=director,
        )
    fraud_file.refresh_from_db()
    assert fraud_file.outcome == FraudOutcome.WARNING
    assert fraud_file.sanction.amount == 0


def test_L123_1_CRPA_no_sanction_after_a_first_good_faith_error_even_by_the_director(
    fraud_control, controller, director
):
    """Art. L123-1 CRPA: no notice, no sanction of a first good-faith error regularised."""
    file = open_from_control(fraud_control, controller)
    with at(2022, 8, 1):
        services.fraud_qualify(
            file=file,
            qualification=Qualification.GOOD_FAITH,
            reasons="Oubli.",
            regularised=True,
            acting_user=director,
        )
    file.refresh_from_db()
    assert file.outcome == FraudOutcome.RIGHT_TO_ERROR
    with at(2022, 8, 2), pytest.raises(ValidationError, match="clos"):
        services.notice_send(file=file, amount=D(100), acting_user=controller)


def test_D114_5_complaint_mandatory_from_8_pmss_of_prejudice(fraud_control, controller, director):
    """Art. D114-5 CSS (and L114-9): from 8 PMSS of prejudice the complaint is mandatory: no
    decision closes the file before it is filed; below, it is optional. Its follow-up is kept."""
    file = open_from_control(fraud_control, controller)
    file.prejudice = D(27424)  # 8 × PMSS 2022: the threshold itself
    file.save(update_fields=["prejudice"])
    qualify(file, controller)
    file.refresh_from_db()
    assert file.complaint_mandatory
    notify(file, controller, amount=D(500))
    with at(2022, 9, 5), pytest.raises(ValidationError, match="D114-5"):
        services.sanction_decide(
            file=file, kind=SanctionKind.WARNING, amount=D(0), reasons="x", acting_user=director
        )
    with at(2022, 9, 5):
        complaint = services.complaint_file(
            file=file,
            filed_on=dt.date(2022, 9, 5),
            court="parquet du tribunal judiciaire de Poitiers",
            reference="22/1234",
            acting_user=director,
        )
        services.sanction_decide(
            file=file, kind=SanctionKind.WARNING, amount=D(0), reasons="x", acting_user=director
        )
        services.complaint_follow(
            complaint=complaint,
            status=ComplaintStatus.CONVICTED,
            note="Jugement du 1er décembre.",
            acting_user=controller,
        )
    assert Complaint.objects.get().mandatory
    with pytest.raises(ValidationError, match="définitive"):
        services.complaint_follow(
            complaint=complaint, status=ComplaintStatus.DISMISSED, note="", acting_user=controller
        )


def test_D114_5_below_8_pmss_the_complaint_is_optional(fraud_file, controller, director):
    assert fraud_file.prejudice < parameters.complaint_threshold(2022)
    fraud_file.refresh_from_db()
    assert not fraud_file.complaint_mandatory
    notify(fraud_file, controller, amount=D(500))
    with at(2022, 9, 5):
        services.sanction_decide(
            file=fraud_file, kind="none", amount=D(0), reasons="Classement.", acting_user=director
        )
    fraud_file.refresh_from_db()
    assert fraud_file.outcome == FraudOutcome.NO_SANCTION


def test_organised_fraud_raises_the_ceiling_to_16_pmss_L114_17(fraud_control, controller):
    """Art. L114-17 I CSS: bande organisée, 16 PMSS."""
    file = open_from_control(fraud_control, controller)
    with at(2022, 8, 1):
        services.intent_record(
            file=file,
            element=IntentElement.ORGANISED,
            established=True,
            evidence="Réseau de fausses domiciliations.",
            acting_user=controller,
        )
    qualify(file, controller)
    assert file.qualifications.get().organised
    with at(2022, 8, 2):
        assert services._bounds(file, clock.today()).ceiling == D(54848)
    notify(file, controller, amount=D(50000))
    file.refresh_from_db()
    assert file.proposed_amount == D(50000)
