"""Appeals indicators: requests to the CRA, its decisions by outcome and its implicit rejections,
remissions granted and their amount, judgments by court and outcome. Published values: seed
« Le recouvrement amiable » and « Des actions contentieuses » (Caf de la Vienne, 2022)."""

from decimal import Decimal

from justedroit.appeals import selectors
from justedroit.appeals.models import Court, Judgment, Outcome, RequestKind
from justedroit.core.indicators import (
    Months,
    by_month,
    counting,
    indicator,
    per_month,
    shared_within_report,
)

SEED = "Caf de la Vienne, rapport 2022 (« Le recouvrement amiable », « Des actions contentieuses »)"

figures = shared_within_report(selectors.year_figures)
judgments = shared_within_report(selectors.judgments)


@indicator(
    code="appeals_remission_requests",
    label="Demandes de remise de dette à la CRA",
    unit="demandes",
    definition="Demandes de remise reçues dans l'année, tous canaux, recevables ou non.",
    published={2022: 2831},
    source=SEED,
)
def remission_requests(year: int) -> int:
    return figures(year)["remission_requests"]


@by_month("appeals_remission_requests")
def remission_requests_by_month(year: int):
    return per_month(selectors.received_in(year).filter(kind=RequestKind.REMISSION), "received_on")


@indicator(
    code="appeals_contestations",
    better="lower",
    label="Contestations devant la CRA",
    unit="recours",
    definition="Contestations d'un droit ou d'un indu reçues dans l'année.",
    published={2022: 172},
    source=SEED,
)
def contestations(year: int) -> int:
    return figures(year)["contestations"]


@by_month("appeals_contestations")
def contestations_by_month(year: int):
    contested = (RequestKind.CONTEST_RIGHT, RequestKind.CONTEST_INDU)
    return per_month(selectors.received_in(year).filter(kind__in=contested), "received_on")


@indicator(
    code="appeals_remitted",
    label="Montant des remises accordées",
    unit="€",
    definition="Remises totales et partielles décidées dans l'année (mouvements « remise » du "
    "grand livre des dettes).",
    published={2022: Decimal("1024249")},
    source=SEED,
)
def remitted(year: int) -> Decimal:
    return figures(year)["remitted"]


@by_month("appeals_remitted")
def remitted_by_month(year: int) -> Months:
    return per_month(selectors.remissions_decided_in(year), "decided_on", total="amount_remitted")


@indicator(
    code="appeals_mean_remission",
    label="Remise moyenne",
    unit="€",
    definition="Montant des remises de l'année ÷ nombre de remises (totales ou partielles).",
    published={2022: Decimal("402.78")},
    source=SEED,
)
def mean_remission(year: int) -> Decimal | None:
    data = figures(year)
    if not data["remissions"]:
        return None
    return (data["remitted"] / data["remissions"]).quantize(Decimal("0.01"))


def _decisions(outcome: Outcome) -> None:
    def decided(year: int):
        return selectors.decided_in(year).filter(outcome=outcome)

    counting(
        decided,
        "decided_on",
        code=f"appeals_decisions_{outcome.value}",
        label=f"Décisions de la CRA : {outcome.label.lower()}",
        unit="décisions",
        definition=f"Décisions de la CRA (ou du conseil sur son avis) prises dans l'année dont "
        f"l'issue est « {outcome.label.lower()} », à la date de la décision.",
    )


for _outcome in Outcome:
    _decisions(_outcome)

implicit_rejections = shared_within_report(selectors.implicit_rejections)


@indicator(
    code="appeals_decisions_implicit",
    better="lower",
    label="Rejets implicites de la CRA (R142-6 CSS)",
    unit="recours",
    definition="Recours recevables restés sans décision 2 mois après leur réception (ou celle "
    "des pièces demandées) : rejetés implicitement dans l'année, à la date de ce rejet.",
)
def implicit_rejected(year: int) -> int:
    return len(implicit_rejections(year))


@by_month("appeals_decisions_implicit")
def implicit_rejected_by_month(year: int) -> Months:
    days = implicit_rejections(year)
    return {month: sum(day.month == month for day in days) for month in range(1, 13)}


def _judgments(court: str, published: int, label: str, outcome: str | None = None):
    def compute(year: int) -> int:
        return sum(
            n
            for (c, j), n in judgments(year).items()
            if c in COURTS[court] and (outcome is None or j == outcome)
        )

    code = f"appeals_judgments_{court}" + (f"_{outcome}" if outcome else "")
    return indicator(
        code=code,
        label=label,
        unit="jugements",
        definition="Jugements rendus dans l'année dans les affaires de la Caf"
        + (" (issue favorable à la Caf)." if outcome == Judgment.FAVOURABLE else "")
        + (" (issue défavorable à la Caf)." if outcome == Judgment.UNFAVOURABLE else "."),
        published={2022: published},
        source=SEED,
    )(compute)


COURTS = {
    "ta": (Court.TA,),
    "tj": (Court.TJ_SOCIAL,),
    "upper": (Court.COUR_APPEL, Court.CAA, Court.CASSATION, Court.CONSEIL_ETAT),
}
_judgments("ta", 14, "Jugements du tribunal administratif")
_judgments("ta", 14, "Jugements du TA favorables à la Caf", Judgment.FAVOURABLE)
_judgments("tj", 9, "Jugements du tribunal judiciaire")
_judgments("tj", 6, "Jugements du TJ favorables à la Caf", Judgment.FAVOURABLE)
_judgments("upper", 3, "Décisions des cours d'appel et du Conseil d'État")
_judgments("upper", 1, "Décisions d'appel et du Conseil d'État défavorables", Judgment.UNFAVOURABLE)
