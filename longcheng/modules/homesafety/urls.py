from django.urls import path

from . import history, sound, views, views_orders, views_programme, views_report, views_rules, views_trips

app_name = "homesafety"

urlpatterns = [
    path("", views.console, name="console"),
    path("console/list/", views.console_list, name="console_list"),
    path("console/stream/", views.console_stream, name="console_stream"),
    path("console/sound/", sound.console_sound, name="console_sound"),
    path("console/detail/", views.console_detail, name="console_detail"),
    path("alarms/<int:pk>/", views.alarm_page, name="alarm"),
    path("alarms/<int:pk>/print/", history.alarm_print, name="alarm_print"),
    path("history/", history.history, name="history"),
    path("history/export.xlsx", history.history_xlsx, name="history_xlsx"),
    # One url and one view per step of an alarm (views.py, ALARM_STEPS)
    *(path(f"alarms/<int:pk>/{name}/", views.alarm_step_view(name), name=f"alarm_{name}") for name in views.ALARM_STEPS),
    path("report/", views_report.report_page, name="report"),
    path("report/figures.xlsx", views_report.report_xlsx, name="report_xlsx"),
    path("report/figures.pdf", views_report.report_pdf, name="report_pdf"),
    path("devices/<int:pk>/", views.device_page, name="device"),
    path("rules/", views_rules.rules_page, name="rules"),
    path("rules/save/", views_rules.rules_save, name="rules_save"),
    path("escalation/", views_rules.escalation_page, name="escalation"),
    path("escalation/save/", views_rules.escalation_save, name="escalation_save"),
    path("rejected/", views.rejected, name="rejected"),
    path("family/", views.family, name="family"),
    # The worker sent to a door, on their phone (trips.py).
    path("trips/", views_trips.trips, name="trips"),
    path("trips/<int:pk>/", views_trips.trip, name="trip"),
    path("trips/<int:pk>/position/", views_trips.share_position, name="trip_position"),
    path("trips/<int:pk>/arrive/", views_trips.arrive, name="trip_arrive"),
    path("persons/", views_programme.persons, name="persons"),
    path("persons/<int:pk>/", views_programme.person, name="person"),
    # One url and one view per change to a person (views_programme.py, PERSON_STEPS)
    *(path(f"persons/<int:pk>/{name}/", views_programme.person_step_view(name), name=f"person_{name}")
      for name in views_programme.PERSON_STEPS),
    path("requests/", views_programme.feature_requests, name="feature_requests"),
    path("requests/<int:pk>/approve/", views_programme.decide_view(approve=True), name="request_approve"),
    path("requests/<int:pk>/reject/", views_programme.decide_view(approve=False), name="request_reject"),
    path("import/", views_orders.survey_import, name="import"),
    path("workorders/", views_orders.work_orders, name="work_orders"),
    path("workorders/schedule/", views_orders.schedule_order, name="work_order_schedule"),
    path("workorders/<int:pk>/bind/", views_orders.bind_order, name="work_order_bind"),
    path("workorders/<int:pk>/fail/", views_orders.fail_order, name="work_order_fail"),
]
