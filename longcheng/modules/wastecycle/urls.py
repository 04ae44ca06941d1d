from __future__ import annotations

from django.urls import path

from . import views_batch, views_files, views_school, views_station, views_weighing

app_name = "wastecycle"
urlpatterns = [
    path("", views_school.school, name="school"),
    path("district/", views_school.district, name="district"),
    path("district/report/", views_files.district_file, name="district_file"),
    path("schools/<int:pk>/report/", views_files.school_file, name="school_file"),
    path("classes/<int:pk>/weigh/", views_school.weigh, name="weigh"),
    path("classes/<int:pk>/pupils/", views_weighing.pupils, name="pupils"),
    path("classes/<int:pk>/options/", views_weighing.options, name="options"),
    path("weighings/<int:pk>/correct/", views_weighing.correct, name="correct"),
    path("schools/<int:pk>/kitchen/", views_school.kitchen, name="kitchen"),
    path("stations/", views_station.stations, name="station"),
    path("stations/<int:pk>/", views_station.station, name="station_detail"),
    path("stations/<int:pk>/month/", views_station.month, name="month"),
    path("stations/<int:pk>/tickets/", views_station.ticket_new, name="ticket_new"),
    path("stations/<int:pk>/batches/", views_station.batch_new, name="batch_new"),
    path("stations/<int:pk>/collectors/", views_station.collector_new, name="collector_new"),
    path("stations/<int:pk>/handouts/", views_station.handout_new, name="handout_new"),
    path("stations/<int:pk>/shipments/", views_station.shipment_new, name="shipment_new"),
    path("stations/<int:pk>/compactions/", views_station.compaction_new, name="compaction_new"),
    path("stations/<int:pk>/stock/", views_station.stock_new, name="stock_new"),
    path("shipments/<int:pk>/receive/", views_station.shipment_receive, name="shipment_receive"),
    path("tickets/<int:pk>/", views_batch.ticket, name="ticket"),
    path("tickets/<int:pk>/reverse/", views_batch.ticket_reverse, name="ticket_reverse"),
    path("batches/<int:pk>/", views_batch.batch, name="batch"),
    path("batches/<int:pk>/step/", views_batch.batch_step, name="batch_step"),
    path("batches/<int:pk>/temperatures/", views_batch.batch_temperatures, name="batch_temperatures"),
    path("batches/<int:pk>/finish/", views_batch.batch_finish, name="batch_finish"),
    path("lots/<int:pk>/test/", views_batch.lot_test, name="lot_test"),
    path("lots/<int:pk>/release/", views_batch.lot_release, name="lot_release"),
]
