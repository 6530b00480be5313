from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.auth.signals import user_login_failed

from justedroit.core.auth import selectors
from justedroit.core.auth.enums import LoginMethod
from justedroit.core.auth.otp import otp_required, otp_verified


class LoginForm(AuthenticationForm):
    """Username, password and, for the accounts that need one, the TOTP code, in one step: a wrong
    code and a wrong password get the same answer, so the form never tells which one was right."""

    otp_token = forms.CharField(
        label="Code de vérification",
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Identifiant, mot de passe ou code de vérification incorrect.",
    }
    method = LoginMethod.PASSWORD
    failure_reason = "bad_credentials"

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and otp_required(user):
            if not otp_verified(user, self.cleaned_data.get("otp_token", "")):
                # Counted by django-axes like a wrong password: one lockout covers both factors.
                user_login_failed.send(
                    sender=__name__,
                    credentials={"username": user.get_username()},
                    request=self.request,
                )
                self.failure_reason = "bad_otp"
                raise self.get_invalid_login_error()
            self.method = LoginMethod.PASSWORD_TOTP
        return cleaned


class PasswordResetRequestForm(PasswordResetForm):
    """Mails a reset link to the accounts using the address, each at most
    PASSWORD_RESETS_PER_ACCOUNT times an hour (the requests are audited before the mail goes)."""

    email = forms.EmailField(
        label="Adresse électronique",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def get_users(self, email):
        return [
            user
            for user in super().get_users(email)
            if selectors.password_reset_requests_recent(account=user)
            <= selectors.PASSWORD_RESETS_PER_ACCOUNT
        ]

    def accounts(self) -> list:
        """Every account using the address, whatever its limit."""
        return list(super().get_users(self.cleaned_data["email"]))
