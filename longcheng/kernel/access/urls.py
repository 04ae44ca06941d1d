from django.urls import path

from . import oidc, views

app_name = "access"
urlpatterns = [
    path("staff/", views.staff_list, name="staff"),
    path("staff/new/", views.staff_new, name="staff_new"),
    path("staff/import/", views.staff_import, name="staff_import"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("staff/<int:pk>/deactivate/", views.staff_deactivate, name="staff_deactivate"),
    path("staff/<int:pk>/reactivate/", views.staff_reactivate, name="staff_reactivate"),
    path("staff/<int:pk>/reset-password/", views.staff_reset_password, name="staff_reset_password"),
    path("staff/<int:pk>/remove-authenticator/", views.staff_remove_totp, name="staff_remove_totp"),
    path("assignments/<int:pk>/end/", views.assignment_end, name="assignment_end"),
    path("password/", views.password_change, name="password_change"),
    path("password/set/<str:uidb64>/<str:token>/", views.password_set, name="password_set"),
    path("two-factor/setup/", views.twofactor_setup, name="twofactor_setup"),
    path("two-factor/verify/", views.twofactor_verify, name="twofactor_verify"),
    # Sign-in through the city's identity provider: 404 unless OIDC_ENABLED.
    path("oidc/start/", oidc.start, name="oidc_start"),
    path("oidc/callback/", oidc.callback, name="oidc_callback"),
]
