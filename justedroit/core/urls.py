from django.urls import path

from justedroit.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("connexion/", views.login, name="login"),
    path("deconnexion/", views.logout, name="logout"),
    path("sante/", views.health, name="health"),
    path("agents/", views.agent_home, name="agent_home"),
    path("agents/audit/", views.audit_trail, name="audit_trail"),
    path("agents/jetons-api/", views.api_tokens, name="api_tokens"),
]
