from django.shortcuts import render
from django.views.decorators.http import require_GET

from justedroit.core import clock
from justedroit.core.web import requires, year_param
from justedroit.reporting import perms, selectors


@require_GET
@requires(perms.can_view_indicators)
def indicators(request):
    today = clock.today()
    year = year_param(request, default=today.year if today.month == 12 else today.year - 1)
    return render(
        request, "reporting/indicators.html", {"year": year, "rows": selectors.indicator_rows(year)}
    )
