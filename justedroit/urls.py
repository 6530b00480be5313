from django.urls import include, path

from justedroit import api

urlpatterns = [
    path("", include("justedroit.core.urls")),
    path("agents/foyers/", include("justedroit.registry.urls")),
    path("agents/indicateurs/", include("justedroit.reporting.urls")),
    path("agents/canaux/", include("justedroit.channels.urls")),
    path("agents/droits/", include("justedroit.entitlements.urls")),
    path("agents/controles/", include("justedroit.controls.urls")),
    path("agents/fraude/", include("justedroit.fraud.urls")),
    path("agents/qualite/", include("justedroit.quality.urls")),
    path("agents/partenaires/", include("justedroit.outreach.urls")),
    path("agents/protection-des-donnees/", include("justedroit.data_protection.urls")),
    path("agents/echanges/", include("justedroit.exchanges.urls")),
    path("agents/recouvrement/", include("justedroit.recovery.urls")),
    path("agents/cycle/", include("justedroit.cycle.urls")),
    path("agents/recours/", include("justedroit.appeals.urls")),
    path("", include("justedroit.portal.urls")),
    path("accueil/", include("justedroit.reception.urls")),
    path("api/v1/", api.urls()),
]

handler400 = "justedroit.core.views.bad_request"
