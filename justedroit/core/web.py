"""Web helpers shared by every app's views: permission gate, consultation reasons, query
parameters checked before use, French error pages, the one way a form's POST calls a service,
and the one way a letter is served as HTML or PDF."""

import datetime as dt
import functools
import hmac
import json
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse

from justedroit.core import clock
from justedroit.core.pdf import html_to_pdf

T = TypeVar("T")


def requires(permission: Callable[..., bool], *, post: Callable[..., bool] | None = None):
    """Gate a view with a permission function `can_<verb>_<noun>(user)`.

    Anonymous users go to the login page; a logged-in user without the permission gets a 403.
    `post`, when given, is also required to send the page's form (a page that several roles read
    and fewer may change). The functions are kept on the view so the consistency tests can check
    that no view is ungated.
    """

    def decorate(view):
        @functools.wraps(view)
        def gated(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not permission(request.user):
                raise PermissionDenied
            if post is not None and request.method == "POST" and not post(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        gated.permission = permission
        gated.post_permission = post
        return gated

    return decorate


def public(view):
    """Mark a view as deliberately open to anonymous visitors (login page, health check)."""
    view.permission = None
    return view


class BadParameter(BadRequest):
    """A query parameter out of range: the 400 page shows this French message."""


FIRST_YEAR = 2000


def wants_pdf(request) -> bool:
    return request.GET.get("format") == "pdf"


def document_response(request, html: str, name: str) -> HttpResponse:
    """A letter or document drawn from its HTML: that page, or its PDF (`?format=pdf`) named
    `name`.pdf, shown in the browser."""
    if wants_pdf(request):
        response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
        return response
    return HttpResponse(html)


def year_param(request, *, default: int, name: str = "annee") -> int:
    """The year asked in the query string, between 2000 and next year, or a French 400."""
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    last = clock.today().year + 1
    if not (len(raw) == 4 and raw.isascii() and raw.isdigit() and FIRST_YEAR <= int(raw) <= last):
        raise BadParameter(f"L'année doit être un nombre entre {FIRST_YEAR} et {last}.")
    return int(raw)


def month_in_range(text: str) -> dt.date:
    """'2022-06' → 1 June 2022, between 2000 and next year; ValueError with a French message."""
    month = clock.parse_month(text)
    last = clock.today().year + 1
    if not FIRST_YEAR <= month.year <= last:
        raise ValueError(f"Le mois doit être compris entre {FIRST_YEAR} et {last}.")
    return month


# Why the agent opened a household, per household number, for the rest of the consultation. It is
# set only by a POSTed form (CSRF-protected), so a link cannot write a reason into the audit trail.
_REASONS = "consultation_reasons"
REASON_LIFETIME = dt.timedelta(hours=2)


def consultation_reason(request, number: str) -> str:
    reason, at = request.session.get(_REASONS, {}).get(number, ("", ""))
    return reason if at and _fresh(at) else ""


def remember_consultation_reason(request, number: str, reason: str) -> None:
    kept = {n: entry for n, entry in request.session.get(_REASONS, {}).items() if _fresh(entry[1])}
    request.session[_REASONS] = kept | {number: (reason, clock.now().isoformat())}


def _fresh(at: str) -> bool:
    return clock.now() - dt.datetime.fromisoformat(at) <= REASON_LIFETIME


PROVIDER_BODY_LIMIT = 256 * 1024


def provider_payload(request) -> object:
    """The JSON body a provider's webhook posts (the SMS provider's delivery reports, its inbound
    SMS), authenticated by its bearer token `JUSTEDROIT_SMS_RECEIPT_TOKEN`; an `HttpResponse`
    saying what is wrong otherwise (404 when no token is configured: the webhook is off)."""
    token = settings.JUSTEDROIT_SMS_RECEIPT_TOKEN
    if not token:
        raise Http404
    given = request.headers.get("Authorization", "").removeprefix("Bearer ")
    if not hmac.compare_digest(given.encode(), token.encode()):
        return HttpResponse("Jeton absent ou invalide.", status=401, content_type="text/plain")
    if len(request.body) > PROVIDER_BODY_LIMIT:
        return HttpResponse("Corps trop volumineux.", status=413, content_type="text/plain")
    try:
        return json.loads(request.body)
    except ValueError:
        return HttpResponse("Corps JSON illisible.", status=400, content_type="text/plain")


def submit_form(
    request: HttpRequest,
    form: forms.BaseForm,
    write: Callable[[dict[str, Any]], T],
    *,
    said: Callable[[T], str] | None,
    then: Callable[[T], HttpResponse],
    error_field: str | None = None,
) -> HttpResponse | None:
    """The POST of a page's form: validate `form`, `write` with its cleaned data (a service
    call), show the success message `said` of what it returned and answer `then` of it (a
    redirect). None when there is nothing to answer yet: not a POST, an invalid form, or a service
    that refused (its ValidationError is put on the form, on `error_field` or the whole form, so
    the page shows it in its error summary when the view renders the form again)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        written = write(form.cleaned_data)
    except ValidationError as error:
        form.add_error(error_field, error)
        return None
    if said is not None:
        messages.success(request, said(written))
    return then(written)


def submit_action(
    request: HttpRequest, write: Callable[[], T], *, said: Callable[[T], str]
) -> bool:
    """A button that acts without a form to show again (complete, cancel, revoke…): `write`,
    then the success message `said` of what it returned, or the service's refusal as an error
    message. Whether it was written; the view redirects either way."""
    try:
        written = write()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    messages.success(request, said(written))
    return True
