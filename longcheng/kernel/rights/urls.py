from django.urls import path

from . import views

app_name = "rights"
urlpatterns = [
    path("requests/", views.requests, name="requests"),
    path("residents/<int:pk>/requests/new/", views.request_new, name="request_new"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/report/", views.request_report, name="request_report"),
    path("requests/<int:pk>/close/", views.request_close, name="request_close"),
    path("requests/<int:pk>/deletion/", views.request_deletion, name="request_deletion"),
    path("retention/", views.retention_page, name="retention"),
]
