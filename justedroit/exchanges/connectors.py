"""The partners' file formats and where their files come from. User documentation:
docs/echanges.md.

Every format is a `core.imports.CsvFormat` (CSV, `;`, UTF-8, a header line; each row validated
whole, bad rows reported with their line and a French message). A connector adds what a valid
row says about a person: `facts(row, target)` gives the registry facts it becomes, once the NIR
is matched to a person of the registry (`target`).

Files reach the Caf through a `Source`: an adapter that lists the month's files of a connector.
`Inbox` is the one used in production and in tests — a folder where the transfer service
(the partner's PeSIT / SFTP drop) deposits each month's files,
`<inbox>/<AAAA-MM>/<connector>*.csv`.
Another transport (an API, a message bus) is another `Source` with the same method.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, ClassVar, Protocol

import pydantic
from django.core.exceptions import ValidationError

from justedroit.core import imports
from justedroit.core.clock import add_months
from justedroit.registry.models import Activity, FactKind, MemberRole
from justedroit.registry.nir import validate_nir

MONTHLY_LIMIT = Decimal("1000000")  # no monthly resource of one person reaches a million euros
ANNUAL_LIMIT = Decimal("100000000")
LOOK_BACK_MONTHS = 24  # a partner may correct or complete the months before, two years at most


def _nir(value: str) -> str:
    try:
        return validate_nir(value)
    except ValidationError as error:
        raise ValueError(error.messages[0].rstrip(".")) from None


def _month(value: str) -> dt.date:
    text = value.strip() if isinstance(value, str) else ""
    try:
        if len(text) != 7 or text[4] != "-":
            raise ValueError
        return dt.date(int(text[:4]), int(text[5:]), 1)
    except ValueError:
        raise ValueError("mois invalide : format attendu AAAA-MM") from None


def _siret(value: str) -> str:
    if not (len(value) == 14 and value.isascii() and value.isdigit()):
        raise ValueError("un SIRET compte 14 chiffres")
    return value


Nir = Annotated[imports.text(20), pydantic.AfterValidator(_nir)]
Month = Annotated[dt.date, pydantic.BeforeValidator(_month)]


@dataclass(frozen=True)
class Target:
    """The person a row is about, matched by NIR, and their household in the month concerned."""

    person_id: int
    household_id: int
    role: str


@dataclass(frozen=True)
class Draft:
    """A fact a row produces. Drafts of the same key within one file add up (two employers in a
    month, two tax households in one Caf household)."""

    kind: str
    valid_from: dt.date
    valid_until: dt.date
    about_person: bool
    amount: Decimal | None = None
    code: str = ""


class ExchangeFormat(imports.CsvFormat):
    """A partner's format. `month_of(row)` is the month whose household the row's person is
    looked up in; `refusal(row, month)` a French reason to refuse a valid row given the file's
    month; `facts(row, target)` the facts the row becomes."""

    connector: ClassVar[str]
    nir_column: ClassVar[str] = "nir"

    @property
    def kind(self) -> str:  # the import journal's key
        return f"echange_{self.connector}"

    def nir(self, row) -> str:
        return getattr(row, self.nir_column)

    def month_of(self, row, month: dt.date) -> dt.date:
        return row.mois

    def refusal(self, row, month: dt.date) -> str | None:
        if row.mois > month:
            return f"mois {row.mois:%Y-%m} postérieur au mois du fichier ({month:%Y-%m})"
        if row.mois < add_months(month, -LOOK_BACK_MONTHS):
            return f"mois {row.mois:%Y-%m} antérieur de plus de {LOOK_BACK_MONTHS} mois au fichier"
        return None

    def facts(self, row, target: Target) -> list[Draft]:
        raise NotImplementedError


def _one_month(kind: str, month: dt.date, **value) -> Draft:
    return Draft(kind, month, add_months(month, 1), about_person=True, **value)


# ---- DRM / PASRAU --------------------------------------------------------------------------------
class DrmRow(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(frozen=True, extra="forbid")

    nir: Nir
    mois: Month
    siret: Annotated[imports.text(14), pydantic.AfterValidator(_siret)]
    nature: imports.choice(
        ["salaire", "chomage", "pension", "autre"], aliases={"chômage": "chomage"}
    )
    montant_net: imports.money(ge=Decimal(0), le=MONTHLY_LIMIT)


DRM_NATURE = {
    "salaire": FactKind.SALARY,
    "chomage": FactKind.UNEMPLOYMENT_BENEFIT,
    "pension": FactKind.PENSION,
    "autre": FactKind.OTHER_INCOME,
}


class DrmFormat(ExchangeFormat):
    """Monthly resources declared by payers (the DRM / PASRAU kind): one row per person, month,
    payer (SIRET) and nature — `nir;mois;siret;nature;montant_net`. `montant_net` is the month's
    net taxable amount in euros. The amounts of one person, month and nature add up (two
    employers) into one monthly fact of that month."""

    connector = "drm"
    label = "ressources mensuelles (DRM / PASRAU)"
    schema = DrmRow

    def key(self, row: DrmRow) -> str:
        return f"{row.nir} {row.mois:%Y-%m} {row.siret} {row.nature}"

    def facts(self, row: DrmRow, target: Target) -> list[Draft]:
        return [_one_month(DRM_NATURE[row.nature], row.mois, amount=row.montant_net)]


# ---- France Travail ------------------------------------------------------------------------------
class FranceTravailRow(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(frozen=True, extra="forbid")

    nir: Nir
    mois: Month
    inscrit: imports.integer(ge=0, le=1)
    allocation: imports.choice(["ARE", "ASS", "AREF", "aucune"])
    montant: imports.money(ge=Decimal(0), le=MONTHLY_LIMIT)

    @pydantic.model_validator(mode="after")
    def consistent(self):
        if self.allocation == "aucune" and self.montant:
            raise ValueError("allocation « aucune » avec un montant non nul")
        if self.allocation != "aucune" and not self.inscrit:
            raise ValueError(f"allocation {self.allocation} sans inscription")
        return self


class FranceTravailFormat(ExchangeFormat):
    """Job-seeker status and allowances paid by France Travail in a month —
    `nir;mois;inscrit;allocation;montant` (inscrit 0/1, allocation ARE, ASS, AREF or aucune,
    montant in euros). Registered: the person's activity is « demandeur d'emploi » that month;
    the allowance (0 when none) is the month's unemployment benefit."""

    connector = "france_travail"
    label = "inscription et allocations France Travail"
    schema = FranceTravailRow

    def key(self, row: FranceTravailRow) -> str:
        return f"{row.nir} {row.mois:%Y-%m}"

    def facts(self, row: FranceTravailRow, target: Target) -> list[Draft]:
        drafts = [_one_month(FactKind.UNEMPLOYMENT_BENEFIT, row.mois, amount=row.montant)]
        if row.inscrit:
            drafts.append(_one_month(FactKind.ACTIVITY, row.mois, code=Activity.UNEMPLOYED))
        return drafts


# ---- DGFiP ---------------------------------------------------------------------------------------
class DgfipRow(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(frozen=True, extra="forbid")

    nir_declarant: Nir
    annee_revenus: imports.integer(ge=2000, le=2100)
    revenu_fiscal_reference: imports.money(ge=Decimal(0), le=ANNUAL_LIMIT)


class DgfipFormat(ExchangeFormat):
    """The revenu fiscal de référence of year N per declarant, sent by the DGFiP —
    `nir_declarant;annee_revenus;revenu_fiscal_reference`. It is the household's
    « revenu N-2 » for the twelve months of year N+2; the declarant is the household's
    allocataire or conjoint (in the file's month), and two declarants of one household add up."""

    connector = "dgfip"
    label = "revenu fiscal de référence (DGFiP)"
    schema = DgfipRow
    nir_column = "nir_declarant"

    def key(self, row: DgfipRow) -> str:
        return f"{row.nir_declarant} {row.annee_revenus}"

    def month_of(self, row: DgfipRow, month: dt.date) -> dt.date:
        return month

    def refusal(self, row: DgfipRow, month: dt.date) -> str | None:
        if not month.year - 3 <= row.annee_revenus <= month.year - 1:
            return (
                f"année de revenus {row.annee_revenus} hors des trois années closes avant "
                f"{month.year}"
            )
        return None

    def facts(self, row: DgfipRow, target: Target) -> list[Draft]:
        if target.role not in (MemberRole.CLAIMANT, MemberRole.SPOUSE):
            raise ValueError("le déclarant n'est ni l'allocataire ni le conjoint de son foyer")
        year = row.annee_revenus + 2
        return [
            Draft(
                FactKind.FISCAL_INCOME_N2,
                dt.date(year, 1, 1),
                dt.date(year + 1, 1, 1),
                about_person=False,
                amount=row.revenu_fiscal_reference,
            )
        ]


FORMATS: dict[str, ExchangeFormat] = {
    fmt.connector: fmt for fmt in (DrmFormat(), FranceTravailFormat(), DgfipFormat())
}


def exchange_format(connector: str) -> ExchangeFormat:
    try:
        return FORMATS[connector]
    except KeyError:
        known = ", ".join(FORMATS)
        raise ValidationError(f"Partenaire inconnu « {connector} » (attendu : {known}).") from None


# ---- where the files come from -------------------------------------------------------------------
class Source(Protocol):
    def files(self, connector: str, month: dt.date) -> list[Path]:
        """The month's files of a connector, in the order they are to be imported."""


@dataclass(frozen=True)
class Inbox:
    """A folder the transfer service fills: `<root>/<AAAA-MM>/<connector>.csv` or
    `<connector>_<anything>.csv`, imported in name order."""

    root: Path

    def files(self, connector: str, month: dt.date) -> list[Path]:
        folder = self.root / f"{month:%Y-%m}"
        if not folder.is_dir():
            return []
        return sorted(
            path
            for path in folder.iterdir()
            if path.is_file()
            and path.suffix == ".csv"
            and (path.stem == connector or path.stem.startswith(f"{connector}_"))
        )
