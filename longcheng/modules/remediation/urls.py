from __future__ import annotations

from django.urls import path

from . import views, views_case, views_islands

app_name = "remediation"
urlpatterns = [
    path("", views.cases, name="cases"),
    path("sites/import/", views.import_register, name="import_register"),
    path("sites/", views.sites, name="sites"),
    path("sites/<int:pk>/inspect/<slug:code>/", views.inspect, name="inspect"),
    path("totals/", views.totals, name="totals"),
    path("islands/", views_islands.islands, name="islands"),
    path("islands/new/", views_islands.island_new, name="island_new"),
    path("islands/<int:pk>/", views_islands.island, name="island"),
    path("islands/<int:pk>/edit/", views_islands.island_edit, name="island_edit"),
    path("islands/<int:pk>/members/", views_islands.member_add, name="island_member_add"),
    path("islands/<int:pk>/members/end/", views_islands.member_end, name="island_member_end"),
    path("islands/<int:pk>/manifests/", views_islands.manifest_add, name="island_manifest_add"),
    path("cases/<int:pk>/", views_case.case, name="case"),
    path("cases/<int:pk>/determine/", views_case.determine, name="determine"),
    path("cases/<int:pk>/plan/", views_case.plan, name="plan"),
    path("cases/<int:pk>/milestones/", views_case.milestone_add, name="milestone_add"),
    path("cases/<int:pk>/evidence/", views_case.evidence, name="evidence"),
    path("cases/<int:pk>/accept/", views_case.accept, name="accept"),
    path("cases/<int:pk>/close/", views_case.close, name="close"),
    path("milestones/<int:pk>/done/", views_case.milestone_done, name="milestone_done"),
    path("rebound-checks/<int:pk>/", views_case.rebound_check, name="rebound_check"),
    path("mine/", views.my_cases, name="my_cases"),
    path("mine/<int:pk>/", views_case.my_case, name="my_case"),
]
