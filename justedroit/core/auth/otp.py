"""The second factor of local agent accounts: a TOTP code (RFC 6238) from an authenticator app."""

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from justedroit.core.audit import audit_record
from justedroit.core.models import AuditAction, User

DEVICE_NAME = "Application d'authentification"


def otp_required(user: User) -> bool:
    """Agents logging in with a password need a code where the settings demand it (production);
    anyone who enrolled a device needs it everywhere."""
    needed_by_role = settings.JUSTEDROIT_AGENT_PASSWORD_NEEDS_OTP and user.is_agent
    return needed_by_role or TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def otp_verified(user: User, token: str) -> bool:
    """Checks the code against the user's device. The row is locked so that two concurrent logins
    cannot both use one code; django-otp refuses a code already used and slows down guessing."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        return device is not None and device.verify_token(token)


def totp_device_create(*, user: User, acting_user: User | None) -> TOTPDevice:
    """A new secret for the user, replacing any previous device (lost phone)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
        audit_record(
            actor=acting_user,
            action=AuditAction.CREATE,
            obj=device,
            reason=f"Second facteur (TOTP) remis à {user.username}",
            detail={"event": "totp_enrolment", "username": user.username},
        )
    return device
