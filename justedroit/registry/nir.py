"""NIR validation (python-stdnum) and the synthetic range the twin draws from."""

from django.core.exceptions import ValidationError
from django.utils.crypto import salted_hmac
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import nir as stdnum_nir

# Synthetic NIRs use the place-of-birth code "00": no département or country has it, so INSEE
# never assigns such a number and the twin's people cannot collide with real ones.
SYNTHETIC_PLACE = "00"


def validate_nir(value: str) -> str:
    try:
        return stdnum_nir.validate(value)
    except StdnumError as error:
        raise ValidationError(f"NIR invalide « {value} » : {_reason(error)}.") from error


def _reason(error: StdnumError) -> str:
    name = type(error).__name__
    return {
        "InvalidChecksum": "la clé de contrôle ne correspond pas",
        "InvalidLength": "un NIR compte 15 caractères (13 + clé)",
        "InvalidFormat": "seuls des chiffres (et 2A/2B pour la Corse) sont admis",
    }.get(name, "format non reconnu")


def synthetic_nir(*, sex: int, birth_year: int, birth_month: int, serial: int) -> str:
    """A NIR valid in form, in the synthetic range (place of birth 00xxx)."""
    body = f"{sex}{birth_year % 100:02d}{birth_month:02d}{SYNTHETIC_PLACE}{serial % 1_000_000:06d}"
    return body + stdnum_nir.calc_check_digits(body + "00")


def is_synthetic_nir(value: str) -> bool:
    return value[5:7] == SYNTHETIC_PLACE


def nir_display(value: str, *, full: bool) -> str:
    """Grouped as on a carte Vitale. Masked, only the sex, the birth year and month and the key
    stay visible (`2 90 05 •• ••• ••• 42`): enough to match a card, not to reuse the number."""
    if len(value) != 15:
        return value if full else "•" * len(value)
    middle = f"{value[5:7]} {value[7:10]} {value[10:13]}" if full else "•• ••• •••"
    return f"{value[0]} {value[1:3]} {value[3:5]} {middle} {value[13:]}"


def nir_search_digest(value: str) -> str:
    """A keyed hash of a NIR typed in a search: the audit trail can tell that two searches were
    for the same number, never which number (the key is the instance's secret)."""
    compact = "".join(value.split()).upper()
    return salted_hmac("justedroit.registry.nir-search", compact, algorithm="sha256").hexdigest()
