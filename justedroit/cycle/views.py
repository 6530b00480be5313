"""The rappel and indu letters the monthly cycle sent a household: the list, and each letter
as sent (`?format=pdf`: its PDF). Reading them takes the same right as the rappels and indus
themselves."""

from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from justedroit.core.web import consultation_reason, document_response, requires
from justedroit.cycle import selectors
from justedroit.entitlements.perms import can_view_entitlements
from justedroit.registry import selectors as registry
from justedroit.registry.services import household_consult


def _consulted(request, household, page: str) -> None:
    household_consult(
        household=household,
        acting_user=request.user,
        reason=consultation_reason(request, household.number),
        page=page,
    )


@require_GET
@requires(can_view_entitlements)
def letters(request, number):
    household = registry.household_by_number(number)
    if household is None:
        raise Http404
    _consulted(request, household, "Lettres de rappel et d'indu")
    return render(
        request,
        "cycle/letters.html",
        {"household": household, "letters": selectors.letters_of(household)},
    )


@require_GET
@requires(can_view_entitlements)
def letter(request, number, pk):
    household = registry.household_by_number(number)
    found = selectors.letter_of(household, pk) if household else None
    if found is None:
        raise Http404
    _consulted(request, household, "Lettre de rappel ou d'indu")
    html = render_to_string("cycle/letter_file.html", {"letter": found})
    return document_response(request, html, f"rappels-indus-{number}-{found.month:%Y-%m}")
