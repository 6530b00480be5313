from django.urls import include, path

urlpatterns = [
    path("", include("justedroit.core.urls")),
    path("agents/foyers/", include("justedroit.registry.urls")),
    path("agents/indicateurs/", include("justedroit.reporting.urls")),
    path("", include("justedroit.portal.urls")),
]
