from django.urls import path

from justedroit.core import views
from justedroit.core.auth import views as auth

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("connexion/", auth.login, name="login"),
    path("deconnexion/", auth.logout, name="logout"),
    path("connexion/agents/", auth.oidc_login, {"provider": "caf_agents"}, name="caf_agents_login"),
    path(
        "connexion/agents/retour/",
        auth.oidc_callback,
        {"provider": "caf_agents"},
        name="caf_agents_callback",
    ),
    path(
        "connexion/franceconnect/",
        auth.oidc_login,
        {"provider": "franceconnect"},
        name="franceconnect_login",
    ),
    path(
        "connexion/franceconnect/retour/",
        auth.oidc_callback,
        {"provider": "franceconnect"},
        name="franceconnect_callback",
    ),
    path("mot-de-passe/", auth.password_change, name="password_change"),
    path("mot-de-passe/modifie/", auth.password_change_done, name="password_change_done"),
    path("mot-de-passe/oublie/", auth.password_reset, name="password_reset"),
    path("mot-de-passe/oublie/envoye/", auth.password_reset_done, name="password_reset_done"),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        auth.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/nouveau/termine/",
        auth.password_reset_complete,
        name="password_reset_complete",
    ),
    path("sante/", views.health, name="health"),
    path("agents/", views.agent_home, name="agent_home"),
    path("agents/audit/", views.audit_trail, name="audit_trail"),
    path("agents/envois-en-echec/", views.failed_sends, name="failed_sends"),
    path("agents/audit/export.csv", views.audit_export, name="audit_export"),
    path("agents/jetons-api/", views.api_tokens, name="api_tokens"),
]
