from django.urls import path

from . import views, views_apply, views_desk, views_documents, views_standing

app_name = "onestop"

# One URL per change, POST only: the draft's steps, the steps after submission, the task's steps.
urlpatterns = [
    path("", views.applications, name="applications"),
    path("start/<str:service_code>/", views.start, name="start"),
    path("applications/<int:pk>/", views.application, name="application"),
    *(path(f"applications/<int:pk>/{name}/", views_apply.draft_step_view(name), name=f"application_{name}")
      for name in views_apply.DRAFT_STEPS),
    path("applications/<int:pk>/attach/", views_apply.attach, name="attach"),
    path("applications/<int:pk>/withdraw/", views_apply.withdraw, name="withdraw"),
    path("corrections/<int:pk>/answer/", views_apply.answer, name="answer"),
    path("queue/", views.queue, name="queue"),
    *(path(f"tasks/<int:pk>/{name}/", views_desk.task_step_view(name), name=f"task_{name}")
      for name in views_desk.TASK_STEPS),
    path("cases/<int:pk>/", views.case, name="case"),
    path("figures/", views.figures, name="figures"),
    path("standing/", views_standing.standing, name="standing"),
    path("documents/<int:pk>/", views_documents.document, name="document"),
]
