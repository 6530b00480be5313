from django.shortcuts import render
from django.views.decorators.http import require_GET

from justedroit.core.web import requires
from justedroit.exchanges import perms, selectors


@require_GET
@requires(perms.can_view_exchange_files)
def exchange_files(request):
    return render(
        request, "exchanges/files.html", {"files": selectors.exchange_files(selectors.LISTED)}
    )
