import datetime as dt

from django.shortcuts import render
from django.views.decorators.http import require_GET

from justedroit.core import clock
from justedroit.core.web import requires
from justedroit.reporting import perms, selectors


@require_GET
@requires(perms.can_view_indicators)
def indicators(request):
    default_year = clock.today().year if clock.today().month == 12 else clock.today().year - 1
    try:
        year = int(request.GET.get("annee", default_year))
        dt.date(year, 1, 1)
    except ValueError:
        year = default_year
    return render(
        request, "reporting/indicators.html", {"year": year, "rows": selectors.indicator_rows(year)}
    )
