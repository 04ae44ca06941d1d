from __future__ import annotations

app_name = "cleanaudit"
urlpatterns: list[object] = []
