from __future__ import annotations

from django.urls import path

from . import views

app_name = "cleanaudit"
urlpatterns = [
    path("", views.rounds, name="rounds"),
    path("mine/", views.mine, name="mine"),
    path("rollup/", views.rollup, name="rollup"),
    path("list/", views.list_firm, name="list"),
    path("import/", views.import_list, name="import"),
    path("benchmarks/", views.benchmarks, name="benchmarks"),
    path("terms/", views.terms, name="terms"),
    path("rounds/<int:pk>/register/", views.register, name="register"),
    path("rounds/<int:pk>/", views.round_page, name="round"),
    path("rounds/<int:pk>/report.pdf", views.report_pdf, name="report"),
    path("artefacts/<int:pk>/file/", views.artefact_file, name="artefact_file"),
    path("rounds/<int:pk>/artefact/", views.add_artefact, name="artefact"),
    path("rounds/<int:pk>/figures/", views.set_figures, name="figures"),
    path("rounds/<int:pk>/balance/", views.set_balance, name="balance"),
    path("rounds/<int:pk>/option/", views.add_option, name="option"),
    path("rounds/<int:pk>/close-stage/", views.close_stage, name="close_stage"),
    path("rounds/<int:pk>/thread/", views.open_thread, name="thread"),
    path("rounds/<int:pk>/visit/", views.log_visit, name="visit"),
    path("rounds/<int:pk>/review/<slug:kind>/", views.review, name="review"),
    path("options/<int:pk>/status/", views.set_option_status, name="option_status"),
    path("threads/<int:pk>/reply/", views.reply, name="reply"),
    path("threads/<int:pk>/close/", views.close_thread, name="close_thread"),
]
