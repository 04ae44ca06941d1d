from __future__ import annotations

from django.urls import path

from .views import board, more

app_name = "platformdoor"
urlpatterns = [
    path("", board.board, name="board"),
    path("alarms/<int:pk>/", board.alarm, name="alarm"),
    path("alarms/<int:pk>/acknowledge/", board.acknowledge, name="alarm_acknowledge"),
    path("alarms/<int:pk>/close/", board.close, name="alarm_close"),
    path("alarms/<int:pk>/timeline.xlsx", board.export, name="alarm_export"),
    path("bypasses/new/", more.bypass_new, name="bypass_new"),
    path("bypasses/<int:pk>/approve/", more.bypass_approve, name="bypass_approve"),
    path("bypasses/<int:pk>/end/", more.bypass_end, name="bypass_end"),
    path("detectors/", more.detectors, name="detectors"),
    path("detectors/<int:pk>/", more.detector, name="detector"),
    path("tests/", more.tests, name="tests"),
    path("tests/<int:pk>/record/", more.test_record, name="test_record"),
]
