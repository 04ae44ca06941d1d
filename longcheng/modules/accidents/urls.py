from __future__ import annotations

from django.urls import path

from . import views, views_review

app_name = "accidents"
urlpatterns = [
    path("", views.home, name="home"),
    path("join/", views.join, name="join"),
    path("reports/<int:pk>/", views.report, name="report"),
    path("queue/", views_review.queue, name="queue"),
    path("queue/<int:pk>/", views_review.review, name="review"),
    path("claims/", views_review.claims, name="claims"),
    path("claims/<int:pk>/", views_review.claim, name="claim"),
]
