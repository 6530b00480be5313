"""Money is Decimal euros with two decimals; floats stop at the `rules` boundary."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def euros(value: Decimal | int | str) -> Decimal:
    """Quantize to the cent, half-up like the Caf's payments."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def format_euros(value: Decimal) -> str:
    """French display: 1 234,50 €."""
    text = f"{euros(value):,.2f}".replace(",", "\u202f").replace(".", ",")
    return f"{text} €"
