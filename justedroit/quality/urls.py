from django.urls import path

from justedroit.quality import views

app_name = "quality"
urlpatterns = [
    path("", views.plans, name="plans"),
    path("plans/<int:pk>/", views.plan, name="plan"),
    path("plans/<int:pk>/graphique.svg", views.plan_chart, name="plan_chart"),
    path("verifier/<int:pk>/", views.review, name="review"),
    path("mes-resultats/", views.my_results, name="my_results"),
    path("agents/", views.agents_results, name="agents_results"),
    path("supervision/", views.supervision, name="supervision"),
    path("datamining/", views.datamining, name="datamining"),
    path("actions/<int:pk>/cloture/", views.action_close, name="action_close"),
    path("dqi/", views.process_map, name="process_map"),
    path("dqi/<slug:code>/", views.process_page, name="process"),
    path(
        "dqi/<slug:code>/actions/<int:pk>/cloture/",
        views.process_action_close,
        name="process_action_close",
    ),
    path("dqi/<slug:code>/revue/<int:year>/", views.process_review, name="process_review"),
    path(
        "dqi/<slug:code>/revue/<int:year>/graphique.svg",
        views.process_chart,
        name="process_chart",
    ),
]
