"""Access-to-rights indicators: the non-take-up datamining's funnel over the campaigns planned in
the year. Published values: seed « Renforcer l'accès aux droits » (Caf de la Vienne, 2022)."""

from collections.abc import Callable
from decimal import Decimal

from justedroit.core import clock
from justedroit.core.indicators import Months, by_month, indicator, shared_within_report
from justedroit.outreach import selectors
from justedroit.outreach.selectors import Funnel, GroupFunnel

SEED = "Caf de la Vienne, rapport 2022, « Renforcer l'accès aux droits »"
HUNDRED = Decimal(100)
# The funnel's counts, which add up over campaigns.
FIELDS = (
    "candidates",
    "contacted_sms",
    "contacted_phone",
    "reached",
    "claims_filed",
    "rights_opened",
    "monthly_gain",
)


@shared_within_report
def _funnels(year: int) -> list[tuple[int, Funnel]]:
    """The funnel of each campaign planned in the year, with the month (Paris) it was planned."""
    return [
        (campaign.planned_at.astimezone(clock.PARIS).month, selectors.campaign_funnel(campaign))
        for campaign in selectors.campaigns_planned_in(year)
    ]


def _added(funnels: list[Funnel]) -> tuple[GroupFunnel, GroupFunnel, Decimal | None]:
    """Campaigns added up: contacted candidates, comparison group, and the rights attributable
    to the contacts (sum over the campaigns with a comparison group)."""
    contacted, comparison = GroupFunnel(), GroupFunnel()
    attributable: Decimal | None = None
    for funnel in funnels:
        for total, one in ((contacted, funnel.contacted), (comparison, funnel.comparison)):
            for name in FIELDS:
                setattr(total, name, getattr(total, name) + getattr(one, name))
        if funnel.attributable_rights is not None:
            attributable = (attributable or Decimal(0)) + funnel.attributable_rights
    return contacted, comparison, attributable


def _year(year: int) -> tuple[GroupFunnel, GroupFunnel, Decimal | None]:
    return _added([funnel for _, funnel in _funnels(year)])


def _contacted_by_month(field: str) -> Callable[[int], Months]:
    """The contacted group's `field` over the campaigns planned each month of the year."""

    def compute(year: int) -> Months:
        funnels = _funnels(year)
        return {
            month: getattr(_added([f for m, f in funnels if m == month])[0], field)
            for month in range(1, 13)
        }

    return compute


def _pct(part: int, whole: int) -> Decimal | None:
    return (HUNDRED * part / whole).quantize(Decimal("0.1")) if whole else None


@indicator(
    code="outreach_candidates",
    label="Allocataires repérés par le datamining accès aux droits",
    unit="foyers",
    definition=(
        "Candidats des campagnes planifiées dans l'année (critères par défaut : droit estimé "
        "≥ 15 €/mois non demandé, données de moins de 6 mois, pas contacté depuis 12 mois, pas "
        "de demande en cours, pas de refus des sollicitations), groupe de comparaison compris."
    ),
    published={2022: 341},
    source=SEED,
)
def candidates(year: int) -> int:
    contacted, comparison, _ = _year(year)
    return contacted.candidates + comparison.candidates


def _channel(code: str, label: str, field: str, published: Decimal) -> None:
    """The candidates contacted through a channel: their number, month by month, and their
    share of the contacted."""

    @indicator(
        code=f"outreach_contacted_{code}",
        label=f"Allocataires contactés {label}",
        unit="foyers",
        definition=f"Candidats des campagnes planifiées dans l'année contactés {label} ; "
        "par mois, ceux des campagnes planifiées dans le mois.",
    )
    def count(year: int) -> int:
        return getattr(_year(year)[0], field)

    by_month(f"outreach_contacted_{code}")(_contacted_by_month(field))

    @indicator(
        code=f"outreach_contacted_{code}_share",
        label=f"Part des allocataires contactés {label}",
        unit="%",
        definition=f"Candidats contactés {label} ÷ candidats contactés.",
        published={2022: published},
        source=SEED,
    )
    def share(year: int) -> Decimal | None:
        contacted = _year(year)[0]
        return _pct(getattr(contacted, field), contacted.contacted)


_channel("phone", "par téléphone", "contacted_phone", Decimal("16"))
_channel("sms", "par SMS", "contacted_sms", Decimal("84"))


@indicator(
    code="outreach_rights_opened",
    better="higher",
    label="Droits ouverts après un contact",
    unit="foyers",
    definition=(
        "Candidats contactés (hors groupe de comparaison) ayant déposé la demande dans les "
        "6 mois suivant la campagne et reçu un premier paiement de la prestation ; par mois, "
        "ceux des campagnes planifiées dans le mois."
    ),
    published={2022: 72},
    source=SEED,
)
def rights_opened(year: int) -> int:
    return _year(year)[0].rights_opened


by_month("outreach_rights_opened")(_contacted_by_month("rights_opened"))


@indicator(
    code="outreach_conversion_candidates",
    better="higher",
    label="Taux de conversion (droits ouverts ÷ repérés)",
    unit="%",
    definition="Droits ouverts ÷ allocataires repérés (72 ÷ 341 = 21,1 % dans le rapport).",
    published={2022: Decimal("21.1")},
    source=SEED,
)
def conversion_candidates(year: int) -> Decimal | None:
    return _pct(rights_opened(year), candidates(year))


@indicator(
    code="outreach_conversion_contacted",
    better="higher",
    label="Taux de conversion publié (droits ouverts ÷ contactés)",
    unit="%",
    definition=(
        "Droits ouverts ÷ candidats effectivement contactés. Le rapport publie 18 % sans en "
        "donner la base (72 ÷ 341 donne 21,1 %) : nous le lisons rapporté aux contactés."
    ),
    published={2022: Decimal("18")},
    source=SEED,
)
def conversion_contacted(year: int) -> Decimal | None:
    contacted = _year(year)[0]
    return _pct(contacted.rights_opened, contacted.contacted)


@indicator(
    code="outreach_mean_gain",
    label="Gain mensuel moyen des droits ouverts",
    unit="€",
    definition=(
        "Moyenne, sur les droits ouverts après un contact, du montant mensuel moyen payé de la "
        "prestation dans les 6 mois suivant la campagne (émergent : calculé par le moteur)."
    ),
    published={2022: Decimal("254.33")},
    source=SEED,
)
def mean_gain(year: int) -> Decimal | None:
    return _year(year)[0].mean_gain


@indicator(
    code="outreach_opened_yearly",
    better="higher",
    label="Droits ouverts après un contact, en € par an",
    unit="€",
    definition="Somme des gains mensuels moyens des droits ouverts après un contact × 12.",
)
def opened_yearly(year: int) -> Decimal:
    return (_year(year)[0].monthly_gain * 12).quantize(Decimal("0.01"))


@indicator(
    code="outreach_attributable_rights",
    better="higher",
    label="Droits ouverts attribuables aux contacts",
    unit="foyers",
    definition=(
        "Par campagne, (taux d'ouverture des contactés − taux du groupe de comparaison tiré au "
        "sort) × contactés, additionné sur l'année : l'effet mesuré, et non supposé."
    ),
)
def attributable_rights(year: int) -> Decimal | None:
    return _year(year)[2]


@indicator(
    code="outreach_welcome_emails",
    label="Courriels de bienvenue envoyés",
    unit="courriels",
    definition=(
        "Courriels de bienvenue aux nouveaux allocataires partis dans l'année (un par foyer)."
    ),
)
def welcome_emails(year: int) -> int:
    return selectors.welcome_emails_sent(year)


NETWORK = "Caf de la Vienne, rapport 2022, « Renforcer l'accès aux droits » (réseau de partenaires)"


def _partners(kind: str, code: str, label: str, published: int) -> None:
    @indicator(
        code=f"outreach_partners_{code}",
        label=label,
        unit="partenaires",
        definition=f"{label} enregistrés (état à la date du calcul).",
        published={2022: published},
        source=NETWORK,
    )
    def count(year: int) -> int:
        return selectors.partners_by_kind()[kind]


_partners("efs", "efs", "Espaces France Services partenaires", 23)
_partners("relay", "relay", "Points relais Caf", 10)


@indicator(
    code="outreach_meetings",
    label="Réunions d'information des partenaires",
    unit="réunions",
    definition="Réunions d'information des partenaires tenues dans l'année (une par mois).",
    published={2022: 12},
    source=NETWORK,
)
def meetings(year: int) -> int:
    return selectors.meetings_held(year).count()


@indicator(
    code="outreach_meeting_attendance",
    better="higher",
    label="Taux de présence aux réunions d'information",
    unit="%",
    definition="Présences ÷ invitations, sur les réunions de l'année dont la présence est notée.",
)
def meeting_attendance(year: int) -> Decimal | None:
    rows = selectors.attendance_by_partner(year).values()
    return _pct(sum(came for came, _ in rows), sum(invited for _, invited in rows))


@indicator(
    code="outreach_collective_actions",
    label="Actions collectives",
    unit="actions",
    definition="Actions collectives (réunions, permanences) commencées dans l'année.",
)
def collective_actions(year: int) -> int:
    return selectors.actions(year).count()


@indicator(
    code="outreach_action_sessions",
    label="Séances des actions collectives (dont permanences)",
    unit="séances",
    definition="Séances tenues des actions collectives commencées dans l'année.",
    published={2022: 5},
    source=SEED + " (permanences Halte-Répit avec la Cpam, avril–juin)",
)
def action_sessions(year: int) -> int:
    return sum(selectors.action_report(a).sessions for a in selectors.actions(year))


@indicator(
    code="outreach_action_people",
    label="Personnes reçues lors des actions collectives",
    unit="personnes",
    definition="Personnes reçues aux séances des actions collectives commencées dans l'année.",
    published={2022: 17},
    source=SEED + " (permanences Halte-Répit avec la Cpam, avril–juin)",
)
def action_people(year: int) -> int:
    return sum(selectors.action_report(a).people_received for a in selectors.actions(year))
