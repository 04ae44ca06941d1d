from __future__ import annotations

app_name = "platformdoor"
urlpatterns: list = []
