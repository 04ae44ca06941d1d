"""The week's praise and alerts (光盘行动): each Monday morning, for every school weighed last week, its
teachers (the users holding the teacher's role over the school's place) get two in-app messages — the
praise (the class with the least waste per diner, the most improved class against the week before,
the classes that had 光盘 meals) and the alerts (each class above `WASTECYCLE_ALERT_GRAMS` per diner
over the week). A sweep that runs twice sends nothing twice (dedupe keys per school, week and user)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import pgettext

from longcheng.kernel.access.models import RoleAssignment, User
from longcheng.kernel.jobs.api import crontab, periodic_job
from longcheng.kernel.notify.api import queue_message

from . import reports
from .conf import conf
from .models import SchoolClass, SchoolDay

TEACHER_ROLE = "wastecycle_teacher"


def teachers_over(path: str) -> list[Any]:
    """Active users holding the teacher's role with a scope covering the place at `path`."""
    prefixes = [path[: i + 1] for i, ch in enumerate(path) if ch == "."] + [path]
    user_ids = RoleAssignment.objects.filter(role=TEACHER_ROLE, places__path__in=prefixes).values("user_id")
    return list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))


def _praise(report: reports.SchoolReport, week: reports.SchoolReport) -> str:
    lines = []
    if week.ranked:
        best = week.ranked[0]
        lines.append(pgettext("wastecycle", "Least waste: %(klass)s, %(grams)s g per diner.")
                     % {"klass": best.klass.name, "grams": best.shown})
    if report.most_improved is not None:
        lines.append(pgettext("wastecycle", "Most improved: %(klass)s.") % {"klass": report.most_improved.name})
    clean = [f"{r.klass.name}（{r.clean_meals}）" for r in week.ranked if r.clean_meals]
    if clean:
        lines.append(pgettext("wastecycle", "光盘 meals: %(classes)s. 真棒！") % {"classes": "、".join(clean)})
    return "\n".join(lines)


def _alerts(week: reports.SchoolReport, alert: int) -> str:
    over = [r for r in week.ranked if r.per_diner is not None and r.per_diner > alert]
    return "\n".join(pgettext("wastecycle", "%(klass)s: %(grams)s g per diner (above %(alert)s g).")
                     % {"klass": r.klass.name, "grams": r.shown, "alert": alert} for r in over)


def school_week(school_id: int, monday: dt.date) -> int:
    """The praise and alerts of one school's week starting `monday`; returns the messages queued."""
    classes = SchoolClass.objects.filter(school_id=school_id).select_related("school", "place")
    first = classes.first()
    if first is None:
        return 0
    sunday = monday + dt.timedelta(days=6)
    report = reports.school_report(classes, monday - dt.timedelta(days=7), sunday)
    week = reports.school_report(classes, monday, sunday)
    texts = {"praise": (pgettext("wastecycle", "光盘行动 praise, week of %(week)s: %(school)s"), _praise(report, week)),
             "alert": (pgettext("wastecycle", "光盘行动 alerts, week of %(week)s: %(school)s"),
                       _alerts(week, conf("WASTECYCLE_ALERT_GRAMS")))}
    sent = 0
    with transaction.atomic():
        for user in teachers_over(first.place.path):
            for kind, (subject, body) in texts.items():
                if not body:
                    continue
                queue_message("inapp", subject=subject % {"week": monday.isoformat(), "school": first.school.name},
                              body=body, to_user=user, related=first.school, place_path=first.place.path,
                              dedupe_key=f"wc:week:{kind}:{school_id}:{monday.isoformat()}:{user.pk}")
                sent += 1
    return sent


def weekly_messages(today: dt.date | None = None) -> int:
    """Last week's praise and alerts for every school weighed in it; returns the messages queued."""
    today = today or timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday() + 7)
    schools = (SchoolDay.objects.filter(day__gte=monday, day__lte=monday + dt.timedelta(days=6), meals__gt=0)
               .values_list("school_id", flat=True).distinct().order_by("school_id"))
    return sum(school_week(school, monday) for school in schools)


@periodic_job(crontab(day_of_week="1", hour="7", minute="30"))
def send_weekly_messages() -> int:
    return weekly_messages()
