from django.urls import path

from .views import cases, figures, fund, payments, review, rooms, volunteers

app_name = "youthaid"

urlpatterns = [
    # The registry: cases, a case, reporting, proofs (views/cases.py)
    path("", cases.cases, name="cases"),
    path("cases/<int:pk>/", cases.case, name="case"),
    # One url and one view per step of a case (views/cases.py, STEPS)
    *(path(f"cases/<int:pk>/{name.replace('_', '-')}/", cases.step_view(name), name=f"case_{name}")
      for name in cases.STEPS),
    path("report/", cases.report, name="report"),
    path("attachments/<int:pk>/", cases.attachment, name="attachment"),
    # Money, volunteers, rooms and figures (views/<topic>.py)
    path("review/", review.review, name="review"),
    path("review/decide/", review.review_decide, name="review_decide"),
    path("batches/", payments.batches, name="batches"),
    path("batches/create/", payments.batch_create, name="batch_create"),
    path("batches/<int:pk>/", payments.batch, name="batch"),
    # One url and one view per step of a batch (views/payments.py, BATCH_STEPS)
    *(path(f"batches/<int:pk>/{name}/", payments.batch_step_view(name), name=f"batch_{name}")
      for name in payments.BATCH_STEPS),
    path("fund/", fund.fund, name="fund"),
    path("fund/donate/", fund.fund_donate, name="fund_donate"),
    path("rules/", fund.rules_page, name="rules"),
    path("rules/edit/", fund.rules_edit, name="rules_edit"),
    path("volunteers/", volunteers.volunteers, name="volunteers"),
    path("volunteers/register/", volunteers.volunteer_register, name="volunteer_register"),
    path("volunteers/vet/", volunteers.volunteer_vet, name="volunteer_vet"),
    path("rooms/", rooms.rooms, name="rooms"),
    path("rooms/advance/", rooms.room_advance, name="room_advance"),
    path("figures/", figures.figures, name="figures"),
]
