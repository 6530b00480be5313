"""Stand-ins for the outside world when it fails: an SMS provider that is down, an SMTP server
that drops connections. Selected by dotted path in settings, like the real backends."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend

from justedroit.reception.notifications.backends import BaseSmsBackend, SmsResult


class ProviderDownSmsBackend(BaseSmsBackend):
    """The SMS provider answers 503 to every request."""

    calls = 0

    def send(self, *, to: str, text: str) -> SmsResult:
        ProviderDownSmsBackend.calls += 1
        return SmsResult(False, error="HTTP Error 503: Service Unavailable")


class FlakySmtpBackend(EmailBackend):
    """The SMTP server drops the first `failures_left` connections, then accepts."""

    failures_left = 1

    def send_messages(self, messages):
        if FlakySmtpBackend.failures_left:
            FlakySmtpBackend.failures_left -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)
