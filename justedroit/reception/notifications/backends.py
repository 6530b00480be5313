"""SMS backends, like Django's email backends: one interface, chosen by a setting.

`JUSTEDROIT_SMS_BACKEND` (dotted path; default: console). `LocMemSmsBackend` keeps messages in
`outbox` for tests. `BrevoSmsBackend` sends through Brevo's transactional SMS API
(`JUSTEDROIT_SMS_API_KEY`, `JUSTEDROIT_SMS_SENDER`). Emails go through Django's email backend.
"""

import json
import logging
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class SmsResult:
    ok: bool
    provider_id: str = ""
    error: str = ""


@dataclass(frozen=True)
class Receipt:
    """What a provider's delivery report says of one message: delivered, or lost for good."""

    provider_id: str
    delivered: bool


class BaseSmsBackend:
    # Our own receipt format (console and tests): {"id": "…", "status": "delivered"|"failed"}.
    id_field, status_field = "id", "status"
    delivered_statuses, failed_statuses = frozenset({"delivered"}), frozenset({"failed"})

    def send(self, *, to: str, text: str) -> SmsResult:
        raise NotImplementedError

    def receipt(self, payload: object) -> Receipt | None:
        """The report a webhook body carries, or None when it reports nothing final (« sent »,
        a soft bounce the provider retries) or is not a report at all."""
        if not isinstance(payload, dict):
            return None
        provider_id, status = payload.get(self.id_field), payload.get(self.status_field)
        if not isinstance(provider_id, str | int) or isinstance(provider_id, bool):
            return None
        if status in self.delivered_statuses:
            return Receipt(str(provider_id), True)
        if status in self.failed_statuses:
            return Receipt(str(provider_id), False)
        return None


# Where the console backend writes: standard output, at the level JUSTEDROIT_SMS_CONSOLE_LEVEL
# (settings.LOGGING). `make demo` raises it for its worker, which would otherwise print every SMS
# of the campaigns the twin queued; they stay in the database, sent, shown on the pages.
console_log = logging.getLogger("justedroit.sms")


class ConsoleSmsBackend(BaseSmsBackend):
    def send(self, *, to: str, text: str) -> SmsResult:
        console_log.info("[SMS → %s] %s", to, text)
        return SmsResult(True, "console")


outbox: list[dict] = []


class LocMemSmsBackend(BaseSmsBackend):
    def send(self, *, to: str, text: str) -> SmsResult:
        outbox.append({"to": to, "text": text})
        return SmsResult(True, f"locmem-{len(outbox)}")


class BrevoSmsBackend(BaseSmsBackend):
    url = "https://api.brevo.com/v3/transactionalSMS/sms"
    # Brevo's transactional SMS webhook: {"messageId": 123, "msg_status": "delivered", …}.
    id_field, status_field = "messageId", "msg_status"
    failed_statuses = frozenset({"hard_bounce", "rejected"})

    def send(self, *, to: str, text: str) -> SmsResult:
        body = json.dumps(
            {
                "sender": getattr(settings, "JUSTEDROIT_SMS_SENDER", "Caf86"),
                "recipient": to,
                "content": text,
                "type": "transactional",
            }
        ).encode()
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "api-key": settings.JUSTEDROIT_SMS_API_KEY,
                "content-type": "application/json",
                "accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                payload = json.loads(response.read() or b"{}")
        except OSError as error:
            return SmsResult(False, error=str(error)[:300])
        return SmsResult(True, str(payload.get("messageId", "")))


def sms_backend() -> BaseSmsBackend:
    path = getattr(
        settings,
        "JUSTEDROIT_SMS_BACKEND",
        "justedroit.reception.notifications.backends.ConsoleSmsBackend",
    )
    return import_string(path)()
