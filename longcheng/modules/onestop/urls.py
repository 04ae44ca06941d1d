from django.urls import path

from . import views, views_documents, views_standing

app_name = "onestop"

urlpatterns = [
    path("", views.applications, name="applications"),
    path("start/<str:service_code>/", views.start, name="start"),
    path("applications/<int:pk>/", views.application, name="application"),
    path("queue/", views.queue, name="queue"),
    path("tasks/<int:pk>/", views.task_act, name="task"),
    path("cases/<int:pk>/", views.case, name="case"),
    path("figures/", views.figures, name="figures"),
    path("standing/", views_standing.standing, name="standing"),
    path("documents/<int:pk>/", views_documents.document, name="document"),
]
