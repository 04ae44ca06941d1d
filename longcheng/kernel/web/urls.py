from django.contrib.auth import views as auth_views
from django.urls import path

from . import views, views_account, views_audit, views_family, views_places, views_services

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("places/", views.places, name="places"),
    path("places/import/", views_places.places_import, name="places_import"),
    path("residents/", views.residents, name="residents"),
    path("residents/new/", views.resident_new, name="resident_new"),
    path("residents/<int:pk>/", views.resident, name="resident"),
    path("residents/<int:pk>/death/", views.resident_death, name="resident_death"),
    path("residents/<int:pk>/family/", views_family.resident_family, name="resident_family"),
    path("orgs/", views.orgs, name="orgs"),
    path("audit/", views_audit.audit, name="audit"),
    path("audit/export.xlsx", views_audit.audit_xlsx, name="audit_xlsx"),
    path("audit/<str:model>/<str:pk>/", views_audit.audit_object, name="audit_object"),
]

urlpatterns += [
    path("workdays/", views_services.workdays, name="workdays"),
    path("funds/", views_services.funds, name="funds"),
    path("funds/<slug:code>/", views_services.fund, name="fund"),
    path("funds/<slug:code>/statement.xlsx", views_services.fund_xlsx, name="fund_xlsx"),
    path("messages/", views_services.message_list, name="messages"),
    path("inbox/", views_services.inbox, name="inbox"),
    path("account/tokens/", views_account.tokens, name="tokens"),
    path("account/tokens/issue/", views_account.issue_token, name="issue_token"),
    path("account/tokens/<int:pk>/revoke/", views_account.revoke_token, name="revoke_token"),
]
