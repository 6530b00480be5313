"""NIR validation (python-stdnum) and the synthetic range the twin draws from."""

from django.core.exceptions import ValidationError
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
