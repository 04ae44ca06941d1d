from __future__ import annotations

from django.urls import path

from . import views

app_name = "platformdoor"
urlpatterns = [
    path("", views.items, name="items"),
    path("items/<int:pk>/", views.item, name="item"),
]
