"""One test per legal rule of retentions on benefits, each citing its article."""

import datetime as dt
from decimal import Decimal as D

import pytest

from justedroit.recovery import parameters as law
from justedroit.recovery import retention as r

SCALE = law.SCALE_2020
DAY = dt.date(2022, 3, 1)


def situation(resources="24000", benefits="300", housing="500", couple=False, children=0):
    return r.Situation(
        annual_resources=None if resources is None else D(resources),
        benefits_of_month=D(benefits),
        housing_cost=None if housing is None else D(housing),
        couple=couple,
        children=children,
    )


def test_d553_1_ii_weighting_single_couple_and_children():
    """D553-1 II CSS: N = 1.5 single, 2 couple, + 0.5 per child."""
    assert r.weighting(couple=False, children=0) == D("1.5")
    assert r.weighting(couple=True, children=0) == D("2")
    assert r.weighting(couple=True, children=3) == D("3.5")
    assert r.weighting(couple=False, children=2) == D("2.5")


def test_d553_1_i_monthly_income_is_resources_plus_benefits_less_housing():
    """D553-1 I CSS: R = annual resources ÷ 12 + the month's Caf benefits − rent."""
    assert r.monthly_income(situation()) == D("1800.00")  # 2000 + 300 - 500
    assert r.monthly_income(situation(housing="0")) == D("2300.00")


def test_d553_1_i_rent_unknown_is_deemed_a_quarter_of_income_and_benefits():
    """D553-1 I CSS: rent or loan unknown → deemed 25 % of income + benefits."""
    assert r.monthly_income(situation(housing=None)) == D("1725.00")  # 2300 × 0.75


def test_d553_1_i_income_never_negative():
    """D553-1 I CSS: a rent above income and benefits leaves R at 0, not below."""
    assert r.monthly_income(situation(resources="0", benefits="100", housing="600")) == 0


def test_d553_1_iii_flat_retention_below_the_first_band():
    """D553-1 III CSS, arrêté 20/12/2019 art. 5 2°: 49 € on the band below 266 €."""
    assert r.scale_retention(D("0"), SCALE) == D("49.00")
    assert r.scale_retention(D("265"), SCALE) == D("49.00")


def test_d553_1_iii_marginal_bands_25_35_45_60():
    """D553-1 III CSS, arrêté 20/12/2019 art. 5 1°: 25/35/45/60 % by band of R ÷ N."""
    assert r.scale_retention(D("300"), SCALE) == D("57.50")  # 49 + 34 × 25 %
    assert r.scale_retention(D("500"), SCALE) == D("117.80")  # 49 + 131×.25 + 103×.35
    expected = D(49) + D(131) * D(".25") + D(197) * D(".35") + D(199) * D(".45") + D(207) * D(".6")
    assert r.scale_retention(D("1000"), SCALE) == expected.quantize(D("0.01"))


def test_d553_1_iii_resources_unknown_use_the_deemed_weighted_income():
    """D553-1 III CSS, arrêté 20/12/2019 art. 5 3°: Q deemed 1 186 € when resources unknown."""
    basis = r.basis(situation(resources=None), SCALE)
    assert basis.deemed and basis.weighted_income == D("1186.00")
    assert basis.amount == r.scale_retention(D("1186"), SCALE)


def test_d553_1_ii_the_scale_applies_to_r_divided_by_n():
    """D553-1 II CSS: the scale reads the weighted income R ÷ N; children lower the retention."""
    alone = r.basis(situation(), SCALE)
    family = r.basis(situation(couple=True, children=2), SCALE)
    assert alone.weighted_income == D("1200.00")  # 1800 / 1.5
    assert family.weighted_income == D("600.00")  # 1800 / 3
    assert family.amount < alone.amount


def test_d553_1_iii_later_years_say_which_values_apply():
    """D553-1 III CSS (décret 2021-1955): values revalued each 1 January; not found for 2022,
    so the 2020 values apply and the note says so."""
    scale, note = law.scale_for(2022)
    assert scale is SCALE and "barème 2020 appliqué en 2022" in note
    assert law.scale_for(2020)[1].startswith("barème 2020")


def test_d553_2_a_new_amount_applies_only_beyond_20_percent():
    """D553-2 CSS: recalculated amount applied only if it differs by ±20 %."""
    assert r.applied_base(D("110"), D("100")) == D("100")
    assert r.applied_base(D("85"), D("100")) == D("100")
    assert r.applied_base(D("120"), D("100")) == D("120")
    assert r.applied_base(D("80"), D("100")) == D("80")
    assert r.applied_base(D("80"), None) == D("80")


def test_d553_4_one_retention_oldest_first_then_smallest():
    """D553-4 CSS: one monthly retention for several debts, oldest first, smallest at equal date."""
    debts = [
        r.OpenDebt(1, dt.date(2022, 2, 1), D("500")),
        r.OpenDebt(2, dt.date(2022, 1, 1), D("80")),
        r.OpenDebt(3, dt.date(2022, 2, 1), D("30")),
    ]
    taken = r.allocate_to_debts(D("150"), debts, cash=D("1000"))
    assert taken == {2: D("80"), 3: D("30"), 1: D("40")}
    assert sum(taken.values()) == D("150")


def test_l553_2_fraud_debts_are_recovered_with_a_50_percent_uplift():
    """L553-2 al. 3 and D553-5 CSS: the retention is increased by 50 % on fraud debts."""
    fraud = [r.OpenDebt(1, DAY, D("1000"), uplift=law.FRAUD_UPLIFT)]
    assert r.allocate_to_debts(D("100"), fraud, cash=D("1000")) == {1: D("150.00")}


def test_d553_5_uplift_doubled_for_fraud_repeated_within_five_years():
    """D553-5 CSS: the fraud uplift is doubled when fraud recurs within 5 years."""
    repeat = [r.OpenDebt(1, DAY, D("1000"), uplift=law.FRAUD_REPEAT_UPLIFT)]
    assert r.allocate_to_debts(D("100"), repeat, cash=D("1000")) == {1: D("200.00")}


def test_l553_2_uplift_only_on_the_fraud_part():
    """L553-2 CSS: the uplift reaches the fraud debt only; an older plain debt goes first."""
    debts = [
        r.OpenDebt(1, dt.date(2022, 1, 1), D("60")),
        r.OpenDebt(2, dt.date(2022, 2, 1), D("900"), uplift=law.FRAUD_UPLIFT),
    ]
    assert r.allocate_to_debts(D("100"), debts, cash=D("1000")) == {1: D("60"), 2: D("60.00")}


def test_retention_never_exceeds_balance_nor_the_payments():
    """L553-2 CSS: the retention recovers what is owed, on the benefits paid that month."""
    debts = [r.OpenDebt(1, DAY, D("40"))]
    assert r.allocate_to_debts(D("100"), debts, cash=D("1000")) == {1: D("40")}
    assert r.allocate_to_debts(D("100"), [r.OpenDebt(1, DAY, D("900"))], cash=D("70")) == {
        1: D("70")
    }


def test_l553_2_fongibility_family_benefits_first_then_housing_aah_ppa_rsa():
    """L553-2 CSS: taken from family benefits, failing that housing aid, AAH, PPA, RSA."""
    payments = {"rsa": D("500"), "aide_logement": D("200"), "af": D("140"), "ppa": D("100")}
    assert r.allocate_to_payments(D("390"), payments) == {
        "af": D("140"),
        "aide_logement": D("200"),
        "ppa": D("50"),
    }
    assert list(law.FONGIBILITY_ORDER[-4:]) == ["aide_logement", "aah", "ppa", "rsa"]
    with pytest.raises(ValueError):
        r.allocate_to_payments(D("1000"), payments)


def test_one_household_month_end_to_end():
    """D553-1 to D553-4 and L553-2 CSS together: scale, order of debts, order of benefits."""
    outcome = r.household_retention(
        situation=situation(),
        debts=[r.OpenDebt(7, DAY, D("2000"))],
        payments={"af": D("140"), "aide_logement": D("160")},
        scale=SCALE,
        previous_base=None,
    )
    assert outcome.base == r.scale_retention(D("1200"), SCALE)
    assert outcome.total == D("300")  # capped by the month's payments
    assert outcome.by_benefit == {"af": D("140"), "aide_logement": D("160")}


@pytest.mark.parametrize(
    ("benefit", "year", "threshold", "article"),
    [
        ("af", 2021, D(24), "D133-2 CSS"),
        ("cf", 2022, D(24), "D133-2 CSS"),
        ("aah", 2023, D(25), "D133-2 CSS"),
        ("ppa", 2023, D(25), "D847-2 CSS"),
        ("rsa", 2022, D(77), "R262-92 CASF"),
    ],
)
def test_d133_2_d847_2_r262_92_small_indu_thresholds(benefit, year, threshold, article):
    """D133-2 CSS, D847-2 CSS, R262-92 CASF: small indus not recovered (24/24/25 €, RSA 77 €)."""
    assert law.small_indu_threshold(benefit, year) == (threshold, article)


def test_housing_aid_has_no_small_indu_threshold():
    """No text cited in LEGAL-RULES sets one for housing aid: recovered whatever the amount."""
    assert law.small_indu_threshold("aide_logement", 2022) is None
