from __future__ import annotations

from django.urls import path

from . import views, views_shifts

app_name = "ecorestore"
urlpatterns = [
    path("", views.cases, name="cases"),
    path("cases/<int:pk>/", views.case, name="case"),
    path("cases/<int:pk>/certificate/", views.certificate, name="certificate"),
    path("shifts/", views_shifts.shifts, name="shifts"),
    path("shifts/<int:pk>/", views_shifts.shift, name="shift"),
    path("mine/", views.mine, name="mine"),
]
