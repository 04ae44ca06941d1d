"""A few in-app messages for the demo's administrator, so the inbox is not empty."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from longcheng.kernel.access.models import User

from .api import queue_message


def build(**options: Any) -> None:
    admin = User.objects.filter(username="city_admin").first()
    if admin is None:
        return
    with transaction.atomic():
        queue_message("inapp", to_user=admin, subject="欢迎使用龙城平台",
                      body="演示城市已建好：居民数据均为合成数据，证件号码默认脱敏显示。", dedupe_key="demo:welcome")
        queue_message("inapp", to_user=admin, subject="2027年节假日安排待录入",
                      body="国务院办公厅公布2027年节假日安排后，请在“工作日”页面录入，否则跨年的办结时限无法计算。",
                      dedupe_key="demo:holidays-2027")
