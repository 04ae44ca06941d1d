from django.urls import path

from . import views_cases, views_money

app_name = "youthaid"

urlpatterns = [
    # The registry: cases, a case, reporting, proofs (views_cases.py)
    path("", views_cases.cases, name="cases"),
    path("cases/<int:pk>/", views_cases.case, name="case"),
    path("report/", views_cases.report, name="report"),
    path("attachments/<int:pk>/", views_cases.attachment, name="attachment"),
    # Money, volunteers, rooms and figures (views_money.py)
    path("review/", views_money.review, name="review"),
    path("batches/", views_money.batches, name="batches"),
    path("batches/<int:pk>/", views_money.batch, name="batch"),
    path("fund/", views_money.fund, name="fund"),
    path("rules/", views_money.rules_page, name="rules"),
    path("volunteers/", views_money.volunteers, name="volunteers"),
    path("rooms/", views_money.rooms, name="rooms"),
    path("figures/", views_money.figures, name="figures"),
]
