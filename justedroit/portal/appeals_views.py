"""Allocataire page (Mon dossier): my requests to the commission de recours amiable, their
status, the 2-month clock, the decision and the routes of appeal; a form to send a request
(works without JavaScript). Reads the appeals domain's selectors, writes through its service."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from justedroit.appeals import letters, perms, selectors, services
from justedroit.appeals.forms import PortalRequestForm
from justedroit.core import clock
from justedroit.core.web import requires, submit_form
from justedroit.recovery import selectors as ledger


@require_http_methods(["GET", "POST"])
@requires(perms.can_view_own_appeals)
def appeals(request):
    account = getattr(request.user, "household_account", None)
    household = account.household if account else None
    debts = [line.debt for line in ledger.own_debts(household)["lines"]] if household else []
    form = PortalRequestForm(request.POST or None, debts=debts)
    if household is not None and (
        done := submit_form(
            request,
            form,
            lambda data: services.case_receive(
                household=household,
                kind=data["kind"],
                channel="portal",
                benefit=data["benefit"],
                debt=next((d for d in debts if d.pk == data["debt"]), None),
                contested_decision=data["contested_decision"],
                notified_on=data["notified_on"],
                received_on=clock.today(),
                grounds=data["grounds"],
                acting_user=request.user,
            ),
            said=lambda case: f"Votre demande n° {case.pk} a bien été reçue.",
            then=lambda _: redirect("portal:appeals"),
        )
    ):
        return done
    today = clock.today()
    rows = []
    for line, decision in selectors.own_cases(household, today) if household else []:
        when = decision.decided_on if decision else line.reject_on
        routes = letters.routes_of_appeal(line.case, when) if decision or line.rejected else None
        rows.append((line, decision, routes))
    return render(
        request,
        "portal/appeals.html",
        {"household": household, "rows": rows, "form": form},
        status=400 if request.method == "POST" else 200,
    )
