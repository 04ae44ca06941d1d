from __future__ import annotations

from django.urls import path

from . import views, views_review, views_rules

app_name = "accidents"
urlpatterns = [
    path("", views.home, name="home"),
    path("join/", views.join, name="join"),
    path("reports/<int:pk>/", views.report, name="report"),
    path("reports/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("reports/<int:pk>/photo/", views.photo, name="photo"),
    path("reports/<int:pk>/tick/", views.tick, name="tick"),
    path("reports/<int:pk>/sketch/", views.draw_sketch, name="sketch"),
    path("reports/<int:pk>/submit/", views.submit, name="submit"),
    path("reports/<int:pk>/sign/", views.sign, name="sign"),
    path("reports/<int:pk>/photos/<int:photo_pk>/", views.photo_file, name="photo_file"),
    path("reports/<int:pk>/agreement.pdf", views.agreement, name="agreement"),
    path("queue/", views_review.queue, name="queue"),
    path("queue/<int:pk>/", views_review.review, name="review"),
    path("queue/<int:pk>/photos/<int:photo_pk>/", views_review.review_photo, name="review_photo"),
    path("queue/<int:pk>/agreement.pdf", views_review.review_agreement, name="review_agreement"),
    path("hotspots/", views_review.hotspots, name="hotspots"),
    path("rules/", views_rules.rule_tables, name="rules"),
    # "new" before <code>: the action refuses "new" as a rule's code.
    path("rules/<str:kind>/new/", views_rules.rule_edit, name="rule_new"),
    path("rules/<str:kind>/new/preview/", views_rules.rule_preview, name="rule_new_preview"),
    path("rules/<str:kind>/<slug:code>/", views_rules.rule_edit, name="rule_edit"),
    path("rules/<str:kind>/<slug:code>/preview/", views_rules.rule_preview, name="rule_preview"),
    path("claims/", views_review.claims, name="claims"),
    path("claims/<int:pk>/", views_review.claim, name="claim"),
    path("claims/<int:pk>/photos/<int:photo_pk>/", views_review.claim_photo, name="claim_photo"),
    path("claims/<int:pk>/agreement.pdf", views_review.claim_agreement, name="claim_agreement"),
]
