"""Phone numbers, one way: parsed and validated by `phonenumbers` (French numbering plan by
default), stored in E.164."""

import functools

import phonenumbers
from django.core.exceptions import ValidationError


@functools.lru_cache(maxsize=65_536)  # imports see the same callers again and again
def phone_normalize(text: str) -> str:
    """A French or international number in E.164; a French message when it is not valid."""
    try:
        number = phonenumbers.parse(text, "FR")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(f"Numéro de téléphone invalide « {text[:30]} ».")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mobile_normalize(text: str) -> str:
    number = phone_normalize(text)
    kind = phonenumbers.number_type(phonenumbers.parse(number))
    mobile = (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    if kind not in mobile:
        raise ValidationError("Ce numéro n'est pas un numéro de téléphone mobile.")
    return number
