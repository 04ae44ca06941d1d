from __future__ import annotations

from django.urls import path

from . import documents, views, views_base, views_config, views_public, views_shifts

app_name = "ecorestore"
urlpatterns = [
    path("", views.cases, name="cases"),
    path("open/", views.case_open, name="case_open"),
    path("cases/<int:pk>/", views.case, name="case"),
    # One url and one view per change of a case (views.CASE_STEPS), POST only.
    *(path(f"cases/<int:pk>/{name.replace('_', '-')}/", views.case_step_view(name), name=f"case_{name}") for name in views.CASE_STEPS),
    path("cases/<int:pk>/shifts/<int:spk>/photo/<str:moment>/", views_shifts.case_shift_photo,
         name="case_shift_photo"),
    path("cases/<int:pk>/certificate/", views.certificate, name="certificate"),
    path("cases/<int:pk>/certificate.pdf", documents.certificate, name="certificate_pdf"),
    path("cases/<int:pk>/obligations/<int:opk>/agreement.pdf", documents.agreement, name="agreement_pdf"),
    path("shifts/", views_shifts.shifts, name="shifts"),
    path("shifts/<int:pk>/", views_shifts.shift, name="shift"),
    path("shifts/<int:pk>/photo/<str:moment>/", views_shifts.shift_photo, name="shift_photo"),
    # One url and one view per step of a shift (views_shifts.SHIFT_STEPS), POST only.
    *(path(f"shifts/<int:pk>/{name.replace('_', '-')}/", views_shifts.shift_step_view(name), name=f"shift_{name}")
      for name in views_shifts.SHIFT_STEPS),
    path("mine/", views.mine, name="mine"),
    path("thresholds/", views_config.thresholds, name="thresholds"),
    path("thresholds/set/", views_config.threshold_set, name="threshold_set"),
    path("deliveries/", views_shifts.deliveries, name="deliveries"),
    path("deliveries/record/", views_shifts.delivery_record, name="delivery_record"),
    path("bases/", views_base.bases, name="bases"),
    path("bases/<int:pk>/", views_base.base, name="base"),
    path("bases/<int:pk>/money/", views_base.money, name="money"),
    path("bases/<int:pk>/money/receive/", views_base.money_receive, name="money_receive"),
    path("bases/<int:pk>/money/spend/", views_base.money_spend, name="money_spend"),
    path("bases/<int:pk>/money/receipts/<int:rpk>/reverse/", views_base.money_reverse_receipt,
         name="money_reverse_receipt"),
    path("bases/<int:pk>/money/spends/<int:rpk>/reverse/", views_base.money_reverse_spend,
         name="money_reverse_spend"),
    # Public: no sign-in (what may be disclosed of finished cases).
    path("disclosure/", views_public.disclosure, name="disclosure"),
]
