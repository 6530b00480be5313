from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from justedroit.core import clock, perms, selectors, sending, services
from justedroit.core.audit import audit_record, display_record
from justedroit.core.exports import csv_response
from justedroit.core.forms import (
    ApiTokenCreateForm,
    ApiTokenRevokeForm,
    AuditFilterForm,
    SendRetryForm,
)
from justedroit.core.models import AuditAction
from justedroit.core.web import BadParameter, public, requires, submit_action

AUDIT_PAGE_SIZE = 100


@public
@require_GET
def home(request):
    user = request.user
    if not user.is_authenticated:
        return redirect("core:login")
    if user.is_agent:
        return redirect("core:agent_home")
    if user.is_claimant:
        return redirect("portal:claimant_home")
    if user.is_partner:
        return redirect("portal:partner_home")
    return render(request, "core/no_role.html", status=403)


@public
@require_GET
def health(request):
    return HttpResponse("ok", content_type="text/plain")


@require_GET
@requires(perms.can_use_agent_space)
def agent_home(request):
    """Each role lands on its worklists and their counts (`home_panels`: `justedroit.home`)."""
    return render(request, "core/agent_home.html")


@require_GET
@requires(perms.can_view_audit_trail)
def audit_trail(request):
    """The DPO's page: the trail filtered, a page at a time. Reading it is itself audited, with
    the households it showed."""
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "core/audit_trail.html", {"form": form}, status=400)
    filters = form.filters() if form.is_bound else {}
    page = Paginator(selectors.audit_events(**filters), AUDIT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    lines = selectors.audit_lines(page)
    display_record(
        actor=request.user,
        page="Journal d'audit",
        households=[number for line in lines for number in line.households],
    )
    return render(
        request,
        "core/audit_trail.html",
        {"form": form, "page": page, "lines": lines, "query": _query_without_page(request)},
    )


@require_http_methods(["GET", "POST"])
@requires(perms.can_manage_failed_sends)
def failed_sends(request):
    if request.method == "POST":
        form = SendRetryForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Demande de renvoi invalide.")
            return redirect("core:failed_sends")
        submit_action(
            request,
            lambda: sending.send_retry(
                kind_key=form.cleaned_data["kind"],
                pk=form.cleaned_data["pk"],
                acting_user=request.user,
            ),
            said=lambda _: "Le message est remis en file d'envoi.",
        )
        return redirect("core:failed_sends")
    listing = sending.sends_needing_attention()
    shown = [row for _, rows in listing for row in rows]
    sending.sends_consult(rows=shown, acting_user=request.user)
    return render(
        request,
        "core/failed_sends.html",
        {"listing": listing, "max_attempts": sending.max_attempts()},
    )


@require_GET
@requires(perms.can_view_audit_trail)
def audit_export(request):
    """The filtered trail as CSV; the export is recorded with its filters and size."""
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        raise BadParameter(" ".join(e for errors in form.errors.values() for e in errors))
    filters = form.filters() if form.is_bound else {}
    events = selectors.audit_events(**filters)
    with transaction.atomic():
        export = audit_record(
            actor=request.user,
            action=AuditAction.EXPORT,
            reason="Export du journal d'audit",
            detail={
                "page": "Journal d'audit (export CSV)",
                "filters": {key: str(value) for key, value in filters.items()},
                "rows": events.count(),
            },
        )
    header = [
        "Date",
        "Agent",
        "Rôle",
        "Lancé par",
        "Action",
        "Foyers",
        "Page ou objet",
        "Détail",
        "Motif",
    ]
    rows = (
        [
            line.at.astimezone(clock.PARIS),
            line.actor,
            line.role,
            line.operator,
            line.action,
            " ".join(line.households),
            line.subject,
            line.details,
            line.reason,
        ]
        for line in map(
            selectors.audit_line, events.filter(pk__lt=export.pk).iterator(chunk_size=2_000)
        )
    )
    return csv_response(
        filename=f"journal-audit-{clock.today():%Y-%m-%d}.csv", header=header, rows=rows
    )


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def bad_request(request, exception):
    """French 400 page; a parameter out of range says which and why."""
    message = str(exception) if isinstance(exception, BadParameter) else ""
    return render(request, "400.html", {"message": message}, status=400)


@never_cache
@require_http_methods(["GET", "POST"])
@requires(perms.can_manage_api_tokens)
def api_tokens(request):
    """Partners' API tokens: create one (its secret is shown once, on this response only), list,
    revoke."""
    form = ApiTokenCreateForm(partner_accounts=selectors.partner_accounts())
    issued = None
    if request.method == "POST" and request.POST.get("action") == "revoke":
        revoke = ApiTokenRevokeForm(request.POST)
        token = (
            selectors.api_token_by_id(revoke.cleaned_data["token"]) if revoke.is_valid() else None
        )
        if token is None:
            messages.error(request, "Jeton inconnu.")
        else:
            submit_action(
                request,
                lambda: services.api_token_revoke(token=token, acting_user=request.user),
                said=lambda _: f"Le jeton {token.prefix}… est révoqué.",
            )
        return redirect("core:api_tokens")
    if request.method == "POST":
        form = ApiTokenCreateForm(request.POST, partner_accounts=selectors.partner_accounts())
        if form.is_valid():
            try:
                issued = services.api_token_create(acting_user=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
    status = 400 if request.method == "POST" and issued is None else 200
    return render(
        request,
        "core/api_tokens.html",
        {
            "form": form,
            "issued": issued,
            "tokens": selectors.api_tokens()[:500],
        },
        status=status,
    )
