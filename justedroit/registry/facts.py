"""What each fact kind holds: who it is about (a person or the household) and its value type."""

from dataclasses import dataclass
from decimal import Decimal

from justedroit.core.money import format_euros
from justedroit.registry.models import Activity, Commune, FactKind, HousingStatus, Residence


@dataclass(frozen=True)
class FactSpec:
    about_person: bool
    value: str  # "amount" (euros), "percent", "code" (one of `codes`), "commune" (Insee code)
    codes: tuple[str, ...] = ()


CENT = Decimal("0.01")
AMOUNT_LIMIT = Decimal(10) ** 10  # what a Decimal(max_digits=12, decimal_places=2) field holds

RESOURCE_KINDS = (
    FactKind.SALARY,
    FactKind.SELF_EMPLOYMENT,
    FactKind.UNEMPLOYMENT_BENEFIT,
    FactKind.PENSION,
    FactKind.OTHER_INCOME,
)

FACT_SPECS: dict[str, FactSpec] = {
    **{kind: FactSpec(about_person=True, value="amount") for kind in RESOURCE_KINDS},
    FactKind.ACTIVITY: FactSpec(True, "code", tuple(Activity.values)),
    FactKind.DISABILITY_RATE: FactSpec(True, "percent"),
    FactKind.PREGNANCY: FactSpec(True, "code", ("yes", "no")),
    FactKind.HOUSING_STATUS: FactSpec(False, "code", tuple(HousingStatus.values)),
    FactKind.RENT: FactSpec(False, "amount"),
    FactKind.HOUSING_COMMUNE: FactSpec(False, "commune"),
    FactKind.FISCAL_INCOME_N2: FactSpec(False, "amount"),
    FactKind.PARTNER_RESOURCES: FactSpec(False, "amount"),
    FactKind.RESIDENCE: FactSpec(False, "code", tuple(Residence.values)),
}


def value_error(kind: str, amount: Decimal | None, code: str) -> str | None:
    """The French reason why (amount, code) does not fit `kind`, or None when it fits."""
    spec = FACT_SPECS[kind]
    label = FactKind(kind).label
    if spec.value in ("amount", "percent"):
        if amount is None or code:
            return f"« {label} » attend un montant et pas de valeur codée."
        if not amount.is_finite():
            return f"« {label} » : « {amount} » n'est pas un montant."
        if abs(amount) >= AMOUNT_LIMIT:
            return f"« {label} » : {amount} dépasse le plus grand montant admis (10 milliards)."
        if amount != amount.quantize(CENT):
            return (
                f"« {label} » : {amount} a plus de deux décimales (au centime près, sans arrondi)."
            )
        if amount < 0:
            return f"« {label} » ne peut pas être négatif."
        if spec.value == "percent" and amount > 100:
            return f"« {label} » est un pourcentage entre 0 et 100."
        return None
    if amount is not None or not code:
        return f"« {label} » attend une valeur codée et pas de montant."
    if spec.codes and code not in spec.codes:
        return (
            f"« {code} » n'est pas une valeur possible pour « {label} » ({', '.join(spec.codes)})."
        )
    return None


CODE_LABELS: dict[str, dict[str, str]] = {
    FactKind.ACTIVITY: dict(Activity.choices),
    FactKind.HOUSING_STATUS: dict(HousingStatus.choices),
    FactKind.PREGNANCY: {"yes": "oui", "no": "non"},
}


def value_label(kind: str, amount: Decimal | None, code: str) -> str:
    """A fact's value as a person reads it: '1 234,50 €', '80 %', 'Locataire (parc privé)',
    'Poitiers' — never a code."""
    spec = FACT_SPECS[kind]
    if spec.value == "amount" and amount is not None:
        return format_euros(amount)
    if spec.value == "percent" and amount is not None:
        return f"{amount.normalize():f} %".replace(".", ",")
    if spec.value == "commune":
        name = Commune.objects.filter(pk=code).values_list("name", flat=True).first()
        return name or "commune inconnue"
    return CODE_LABELS.get(kind, {}).get(code, code)
