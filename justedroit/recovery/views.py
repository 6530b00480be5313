"""Recovery pages: the agents' worklist, a household's debts (ledger, letters, plan; manual
entries by recovery agents), each letter as sent (HTML or PDF), the accountant's balance. Thin:
services write, selectors read."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from justedroit.core import clock
from justedroit.core.audit import display_record
from justedroit.core.web import consultation_reason, document_response, requires, year_param
from justedroit.recovery import parameters as law
from justedroit.recovery import perms, selectors, services
from justedroit.recovery.forms import MovementForm, PlanForm, StepForm
from justedroit.registry import selectors as registry
from justedroit.registry import services as registry_services


@require_GET
@requires(perms.can_view_recovery_worklist)
def worklist(request):
    lists = selectors.worklist(clock.today())
    numbers = [line.debt.household.number for lines in lists.values() for line in lines]
    if numbers:
        display_record(
            actor=request.user, page="Recouvrement : files de travail", households=numbers
        )
    return render(request, "recovery/worklist.html", {"lists": lists})


FORMS = {"movement": MovementForm, "plan": PlanForm, "step": StepForm}


@require_http_methods(["GET", "POST"])
@requires(perms.can_view_debts, post=perms.can_record_debt_movement)
def household_debts(request, number):
    household = registry.household_by_number(number)
    if household is None:
        raise Http404
    forms = {name: form() for name, form in FORMS.items()}
    if request.method == "POST" and request.POST.get("form") in FORMS:
        name = request.POST["form"]
        form = forms[name] = FORMS[name](request.POST)
        if form.is_valid() and _apply(request, household, name, form):
            return redirect("recovery:household_debts", number=number)
    registry_services.household_consult(
        household=household,
        acting_user=request.user,
        reason=consultation_reason(request, number),
        page="Dettes et recouvrement",
    )
    retention = selectors.last_retention(household)
    return render(
        request,
        "recovery/household_debts.html",
        {
            "household": household,
            "lines": selectors.household_debts(household),
            "entries": selectors.entries_of(household),
            "letters": selectors.letters_of(household),
            "payments": selectors.payments_net(household),
            "retention": retention,
            "scale_note": law.scale_for((retention.month if retention else clock.today()).year)[1],
            "forms": forms if perms.can_record_debt_movement(request.user) else None,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_GET
@requires(perms.can_view_debts)
def letter(request, number, pk):
    """A debt letter as it was sent (`?format=pdf`: its PDF)."""
    household = registry.household_by_number(number)
    found = selectors.letter_of(household, pk) if household else None
    if found is None:
        raise Http404
    registry_services.household_consult(
        household=household,
        acting_user=request.user,
        reason=consultation_reason(request, number),
        page="Courrier de recouvrement",
    )
    return document_response(request, found.html, f"{found.kind}-{number}-{found.pk}")


def _apply(request, household, name, form) -> bool:
    data = form.cleaned_data
    debt = selectors.debt_by_id(household, data["debt"])
    if debt is None:
        form.add_error("debt", "Ce foyer n'a pas de dette portant ce numéro.")
        return False
    try:
        if name == "movement":
            services.debt_movement_record(
                debt=debt,
                kind=data["kind"],
                amount=data["amount"],
                on=data["on"],
                acting_user=request.user,
                reason=data["reason"],
                reference=data["reference"],
                creditor_consent=data["creditor_consent"],
            )
        elif name == "plan":
            services.plan_grant(
                debt=debt,
                months=data["months"],
                first_due=data["first_due"],
                decision=data["decision"],
                acting_user=request.user,
            )
        else:
            services.contentious_step_record(
                debt=debt,
                stage=data["stage"],
                on=data["on"],
                costs=data["costs"],
                note=data["note"],
                acting_user=request.user,
            )
    except ValidationError as error:
        form.add_error(None, error)
        return False
    messages.success(request, "Enregistré.")
    return True


@require_GET
@requires(perms.can_view_debt_balance)
def balance(request):
    year = year_param(request, default=clock.today().year)
    return render(
        request,
        "recovery/balance.html",
        {
            "year": year,
            "rows": selectors.year_balance(year),
            "checks": selectors.reconciliation(year),
            "not_notified": selectors.indus_not_yet_notified(year),
        },
    )
