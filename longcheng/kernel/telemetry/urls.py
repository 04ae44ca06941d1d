from django.urls import path

from . import views

app_name = "telemetry"

urlpatterns = [
    path("gateways/", views.gateways, name="gateways"),
    path("gateways/<str:username>/", views.gateway, name="gateway"),
    path("gateways/<str:username>/tokens/", views.issue_token, name="issue_token"),
    path("gateways/<str:username>/tokens/<int:pk>/revoke/", views.revoke_token, name="revoke_token"),
]
