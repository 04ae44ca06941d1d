"""Pages of the alarm centre (告警中心), the alarm, the family channel and rejected messages."""

from __future__ import annotations

import datetime as dt
import json
import math
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.handlers.asgi import ASGIRequest
from django.db.models import Count, Max, Q, Sum
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from longcheng.kernel import privacy
from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import access_object, has_perm, restrict, scope_paths
from longcheng.kernel.errors import KernelError, NotFound
from longcheng.kernel.forms import refusal
from longcheng.kernel.notify.api import delivery_status
from longcheng.kernel.people.models import Relationship
from longcheng.kernel.privacy import Kind, Level
from longcheng.kernel.registry import Chart, Figure
from longcheng.kernel.web.decorators import staff_view

from . import actions, alarm_work, live, mapping, report, sound
from .alarms import users_over
from .conf import conf
from .devices import format_readings
from .forms import AssignForm, CommentForm, DispatchForm, NoteForm, ResolveForm
from .models import (
    Alarm,
    AlarmStatus,
    DeadLetter,
    Device,
    DeviceState,
    Enrollee,
    FalseAlarmReason,
    Outcome,
    Reading,
    SeqGap,
    Severity,
)

VIEW = "homesafety.view"


# Only what the list shows: 200 rows of full persons, places and devices cost more to build than the
# query itself (console p95 with 200,000 persons, bench_homesafety_pages.py).
ROW_FIELDS = ("id", "severity", "kind", "count", "status", "raised_at", "escalation_level", "enrollee_id", "is_open",
              "device_id", "enrollee__id", "enrollee__person_id", "enrollee__person__id", "enrollee__person__name",
              "enrollee__person__place_id", "enrollee__person__place__id", "enrollee__person__place__level",
              "enrollee__person__place__name", "enrollee__person__place__parent_id",
              "enrollee__person__place__parent__id", "enrollee__person__place__parent__name")


def _open_alarms(user: Any) -> Any:
    return (restrict(Alarm.objects.filter(is_open=True), user, VIEW)
            .select_related("enrollee__person__place__parent").only(*ROW_FIELDS)
            .order_by("severity", "raised_at"))


def alarm_rows(ids: list[int]) -> list[Alarm]:
    """These alarms as the list shows them, unscoped: the live stream filters by place path."""
    return list(Alarm.objects.filter(pk__in=ids).select_related("enrollee__person__place__parent").only(*ROW_FIELDS))


def _labelled(alarms: list[Alarm]) -> list[Alarm]:
    """Choice labels looked up once per request: get_FOO_display() hashes every lazy label on each
    call, which was a third of the console's time with 200 alarms on screen."""
    fields: dict[str, Any] = {name: Alarm._meta.get_field(name) for name in ("severity", "kind", "status")}
    labels = {name: {value: str(label) for value, label in field.flatchoices} for name, field in fields.items()}
    for a in alarms:
        a.severity_label = labels["severity"].get(a.severity, a.severity)  # type: ignore[attr-defined]
        a.kind_label = labels["kind"].get(a.kind, a.kind)  # type: ignore[attr-defined]
        a.status_label = labels["status"].get(a.status, a.status)  # type: ignore[attr-defined]
        # The list's order (severity, then time raised) as one string, so the console can put a row
        # pushed by the live stream in its place.
        a.order_key = f"{a.severity:02d}|{a.raised_at.astimezone(dt.UTC).isoformat()}"  # type: ignore[attr-defined]
    return alarms


def console_version(user: Any) -> str:
    """Changes whenever the console would look different: a new, repeated, moved or closed alarm."""
    figures = restrict(Alarm.objects.all(), user, VIEW).aggregate(
        n=Count("pk", filter=Q(is_open=True)), seen=Max("last_seen", filter=Q(is_open=True)),
        changed=Max("events__pk"), total=Count("pk"))
    count = restrict(Alarm.objects.filter(is_open=True), user, VIEW).aggregate(c=Max("count"))["c"]
    return f"{figures['n']}:{figures['seen']}:{figures['changed']}:{figures['total']}:{count}"


def _alarm_pk(text: str) -> int:
    """An alarm id from the query string; anything else, a number beyond the database's integer
    included, is no alarm (-1), never a 500."""
    return int(text) if text.isdigit() and len(text) < 19 else -1


@staff_view(VIEW)
def console(request: HttpRequest) -> HttpResponse:
    alarms = _labelled(list(_open_alarms(request.user)[:200]))
    selected = None
    if request.GET.get("alarm"):
        selected = _alarm_context(request, _alarm_pk(request.GET["alarm"]))
    elif alarms:
        selected = _alarm_context(request, alarms[0].pk)
    return render(request, "homesafety/console.html", {
        "alarms": alarms, "selected": selected, "now": timezone.now(), "version": console_version(request.user),
        "can_handle": has_perm(request.user, "homesafety.handle"), "muted": sound.is_muted(request.user),
    })


@staff_view(VIEW)
def console_list(request: HttpRequest) -> HttpResponse:
    """The alarm list alone, fetched by the console when the stream says something changed."""
    return render(request, "homesafety/_alarm_list.html", {
        "alarms": _labelled(list(_open_alarms(request.user)[:200])), "now": timezone.now(),
        "selected_pk": max(_alarm_pk(request.GET.get("alarm", "")), 0),
    })


@staff_view(VIEW)
def console_detail(request: HttpRequest) -> HttpResponse:
    """The detail pane alone, fetched by the console when the stream says its alarm changed."""
    selected = _alarm_context(request, _alarm_pk(request.GET.get("alarm", "")))
    if selected is None:
        raise NotFound()
    return render(request, "homesafety/_alarm_detail.html", {
        "selected": selected, "back": f"{reverse('homesafety:console')}?alarm={selected['alarm'].pk}",
        "can_handle": has_perm(request.user, "homesafety.handle")})


@staff_view(VIEW)
def console_stream(request: HttpRequest) -> StreamingHttpResponse:
    """Server-sent events. On an ASGI server (uvicorn: production and `longcheng serve`) the stream is
    asynchronous and holds no worker (live.py): an `alarm` event carries the changed alarm's list
    row, pushed on its commit (PostgreSQL NOTIFY; SQLite: one poll a second per process). Under WSGI
    the synchronous polling stream remains. Each connection lives a few minutes and is then
    renewed by the browser, which also re-reads the operator's scope."""
    user = request.user
    seconds = conf("HOMESAFETY_STREAM_SECONDS")
    body: Any
    if isinstance(request, ASGIRequest):
        body = live.alarm_stream(user, scope_paths(user, VIEW), translation.get_language(), seconds)
    else:
        body = _polling_events(user, seconds)
    response = StreamingHttpResponse(body, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


def _polling_events(user: Any, seconds: float) -> Iterator[str]:
    """WSGI: holds its thread for `seconds`, asking every second whether the version moved. The
    database connection is closed by Django's request_finished when the server closes the response."""
    last = ""
    deadline = time.monotonic() + seconds
    yield "retry: 2000\n\n"
    while time.monotonic() < deadline:
        version = console_version(user)
        if version != last:
            last = version
            yield f"event: changed\ndata: {json.dumps({'version': version})}\n\n"
        else:
            yield ": keep-alive\n\n"
        time.sleep(1.0)


def dispatch_candidates(alarm: Alarm) -> list[Any]:
    """Community workers and heads whose scope covers the person's place, and the street office's
    officers (who can always send someone, even where no community worker has an account yet)."""
    return users_over(alarm.enrollee.person.place,
                      ["community_worker", "homesafety_community_head", "homesafety_street_officer"])


def sketch(enrollee: Enrollee, state: DeviceState | None) -> dict[str, Any] | None:
    """Home, safe zone and the last known point as SVG coordinates (metres around home, scaled to
    a 240-pixel square), since no map tiles can be fetched offline."""
    if enrollee.home_lat is None or enrollee.home_lon is None:
        return None
    lat0, lon0 = enrollee.home_lat, enrollee.home_lon
    k_lon = 111_320 * math.cos(math.radians(lat0))

    def metres(lat: float, lon: float) -> tuple[float, float]:
        return (lon - lon0) * k_lon, (lat - lat0) * 110_540

    zone = enrollee.safe_zone or {}
    reach = 100.0
    polygon: list[tuple[float, float]] = []
    radius = 0.0
    if zone.get("kind") == "circle":
        radius = float(zone.get("radius_m", 0))
        reach = max(reach, radius)
    elif zone.get("kind") == "polygon":
        polygon = [metres(p[0], p[1]) for p in zone.get("points", [])]
        reach = max([reach, *(math.hypot(x, y) for x, y in polygon)])
    point = None
    if state is not None and state.lat is not None and state.lon is not None:
        point = metres(state.lat, state.lon)
        reach = max(reach, math.hypot(*point))
    scale = 100 / (reach * 1.15)

    def px(xy: tuple[float, float]) -> tuple[float, float]:
        return round(120 + xy[0] * scale, 1), round(120 - xy[1] * scale, 1)

    return {
        "radius": round(radius * scale, 1) if radius else 0,
        "polygon": " ".join(f"{x},{y}" for x, y in map(px, polygon)),
        "point": px(point) if point else None,
        "distance": round(math.hypot(*point)) if point else None,
        "scale_m": round(reach * 1.15),
    }


def _alarm_context(request: HttpRequest, pk: int) -> dict[str, Any] | None:
    try:
        alarm = access_object(Alarm, request.user, pk, VIEW,
                              queryset=Alarm.objects.select_related("enrollee__person__place", "device"))
    except NotFound:
        return None
    enrollee = alarm.enrollee

    state = DeviceState.objects.filter(device=alarm.device).first()
    # Through the kernel's policy: positions and health conditions only for the roles whose work
    # needs them plainly (who handles alarms); an installer sees neither (docs/security.md).
    path = enrollee.person.place.path if enrollee.person.place else None
    sees_location = privacy.level(request.user, Kind.LOCATION, path) >= Level.PLAIN
    sees_health = privacy.level(request.user, Kind.HEALTH, path) >= Level.PLAIN
    readings = list(Reading.objects.filter(device__homesafety__enrollee=enrollee).select_related("device")
                    .order_by("-device_time")[:12])
    states = list(DeviceState.objects.filter(device__homesafety__enrollee=enrollee).select_related("device"))
    for row in (*readings, *states):
        shown = _without_location(row.metrics, sees_location)  # type: ignore[attr-defined]
        row.shown_readings = format_readings(shown)  # type: ignore[attr-defined]
    return {
        "alarm": alarm, "enrollee": enrollee, "person": enrollee.person,
        "contacts": Relationship.objects.filter(person=enrollee.person, is_family_contact=True)
        .select_related("relative").order_by("contact_order"),
        "readings": readings,
        "states": states,
        "events": alarm.events.select_related("actor"),
        "deliveries": delivery_status(alarm)[:20],
        "detail": _without_location(alarm.detail, sees_location),
        "conditions": enrollee.conditions if sees_health else "",
        "sees_health": sees_health,
        "address": privacy.show(request.user, Kind.ADDRESS, enrollee.person.address, path),
        "map": mapping.person_features(enrollee, states, readings, alarm) if sees_location else None,
        "worker_note": mapping.worker_note(alarm),
        "sketch": None if not sees_location else sketch(
            enrollee, state if state and state.lat is not None else
            min((s for s in states if s.lat is not None), key=lambda s: s.pk, default=None)),
        "candidates": dispatch_candidates(alarm),
        "outcomes": [(v, label) for v, label in Outcome.choices if v != Outcome.CLEARED],
        "false_reasons": FalseAlarmReason.choices,
        "comments": alarm.comments.select_related("author"),
        "assignable": alarm_work.assignable(alarm),
    }


def _without_location(values: Any, sees_location: bool) -> dict[str, Any]:
    """Device values (an alarm's detail, a reading's metrics) without the positions a role may not
    see (kernel.privacy: lat, lon and the like are locations)."""
    if not isinstance(values, dict):
        return {}
    if sees_location:
        return values
    return {k: v for k, v in values.items() if privacy.kind_of(None, k) != Kind.LOCATION}


def _render_alarm(request: HttpRequest, context: dict[str, Any], status: int = 200,
                  typed: Mapping[str, Any] | None = None) -> HttpResponse:
    return render(request, "homesafety/alarm.html", {
        "selected": context, "alarm": context["alarm"], "person": context["person"],
        "back": reverse("homesafety:alarm", args=[context["alarm"].pk]), "typed": typed or {},
        "can_handle": has_perm(request.user, "homesafety.handle")}, status=status)


@staff_view(VIEW)
def alarm_page(request: StaffRequest, pk: int) -> HttpResponse:
    context = _alarm_context(request, pk)
    if context is None:
        raise NotFound()
    return _render_alarm(request, context)


def _resolve(request: StaffRequest, pk: int, form: Any) -> Any:
    return actions.do_resolve(pk, outcome=form.cleaned_data["outcome"], acting_user=request.user,
                              notes=form.cleaned_data["notes"], false_alarm_reason=form.cleaned_data["false_alarm_reason"])


@dataclass(frozen=True)
class AlarmStep:
    form: Callable[[StaffRequest, dict[str, Any]], forms.Form]
    act: Callable[[StaffRequest, int, Any], Any]


# The alarm's steps by url name (homesafety:alarm_<name>, at alarms/<pk>/<name>/), POST only.
ALARM_STEPS = {
    "acknowledge": AlarmStep(lambda request, context: NoteForm(request.POST),
                             lambda request, pk, form: actions.do_acknowledge(pk, acting_user=request.user)),
    "dispatch": AlarmStep(lambda request, context: DispatchForm(request.POST, candidates=context["candidates"]),
                          lambda request, pk, form: actions.do_dispatch(pk, to_user=form.chosen(),
                                                                        acting_user=request.user,
                                                                        note=form.cleaned_data["note"])),
    "arrive": AlarmStep(lambda request, context: NoteForm(request.POST),
                        lambda request, pk, form: actions.do_arrive(pk, acting_user=request.user,
                                                                    note=form.cleaned_data["note"])),
    "resolve": AlarmStep(lambda request, context: ResolveForm(request.POST), _resolve),
    "comment": AlarmStep(lambda request, context: CommentForm(request.POST),
                         lambda request, pk, form: alarm_work.do_comment(pk, text=form.cleaned_data["text"],
                                                                         acting_user=request.user)),
    "assign": AlarmStep(lambda request, context: AssignForm(request.POST, candidates=context["assignable"]),
                        lambda request, pk, form: alarm_work.do_assign(pk, to_user=form.chosen(),
                                                                       acting_user=request.user)),
}


def alarm_step_view(name: str) -> Any:
    """One step of an alarm: a refusal is the alarm page again with the message, the typed values
    kept and nothing written; out of scope stays a 404."""
    step = ALARM_STEPS[name]

    @staff_view(VIEW)
    @require_POST
    def view(request: StaffRequest, pk: int) -> HttpResponse:
        context = _alarm_context(request, pk)
        if context is None:
            raise NotFound()
        form = step.form(request, context)
        try:
            if not form.is_valid():
                raise refusal(form)
            step.act(request, pk, form)
        except KernelError as error:
            if error.status in (403, 404):
                raise
            messages.error(request, str(error.message))
            return _render_alarm(request, _alarm_context(request, pk) or context, status=error.status,
                                 typed=form.data)
        messages.success(request, _("Saved."))
        back = form.cleaned_data.get("back") or ""
        return redirect(back if back.startswith("/homesafety/") else reverse("homesafety:alarm", args=[pk]))

    view.__name__ = view.__qualname__ = f"alarm_{name}"
    return view


@staff_view(VIEW)
def device_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One device: its latest state, its clock, the sequence numbers that never arrived, its open
    alarms and its latest rejected messages."""
    device = access_object(Device, request.user, pk, VIEW,
                           queryset=Device.objects.select_related("enrollee__person__place"))
    state = DeviceState.objects.filter(device=device).first()
    gaps = SeqGap.objects.filter(device=device).order_by("-detected_at", "-pk")
    day = timezone.now() - dt.timedelta(days=1)
    offset = state.clock_offset_s if state is not None else None
    pending = [{"first": g[0], "last": g[1], "count": g[1] - g[0] + 1,
                "seen": dt.datetime.fromtimestamp(g[2], tz=dt.UTC)} for g in (state.pending_gaps if state else [])]
    return render(request, "homesafety/device.html", {
        "device": device, "state": state, "gaps": gaps[:50], "pending": pending,
        "missing_day": gaps.filter(detected_at__gte=day).aggregate(n=Sum("missing"))["n"] or 0,
        "clock_minutes": round(offset / 60, 1) if offset is not None else None,
        "alarms": _labelled(list(Alarm.objects.filter(device=device, is_open=True).order_by("severity", "raised_at"))),
        "letters": DeadLetter.objects.filter(device_serial=device.serial).order_by("-received_at", "-pk")[:20],
    })


@staff_view(VIEW)
def rejected(request: HttpRequest) -> HttpResponse:
    """Messages the ingester could not use (unknown devices first among them), newest first."""
    reason = request.GET.get("reason", "")
    scoped = restrict(DeadLetter.objects.all(), request.user, VIEW)
    qs = scoped.order_by("-received_at", "-pk")
    if reason:
        qs = qs.filter(reason=reason)
    counts = scoped.values("reason").annotate(n=Count("pk")).order_by("-n")
    # A raw payload carries positions: shown only to the roles that see locations plainly.
    show_payload = privacy.level(request.user, Kind.LOCATION) >= Level.PLAIN
    return render(request, "homesafety/rejected.html", {"letters": qs[:200], "counts": counts, "reason": reason,
                                                        "show_payload": show_payload})


@staff_view("homesafety.family")
def family(request: HttpRequest) -> HttpResponse:
    """A phone-sized page: only the enrolled persons of whom this account's resident is a recorded
    family contact; their state, last seen, alarms and what was done."""
    me = getattr(request.user, "resident", None)
    relatives: list[dict[str, Any]] = []
    if me is not None:
        person_ids = Relationship.objects.filter(relative=me, is_family_contact=True).values("person_id")
        for enrollee in Enrollee.objects.filter(person_id__in=person_ids).select_related("person"):
            states = list(DeviceState.objects.filter(device__homesafety__enrollee=enrollee).select_related("device"))
            seen = [s.last_received_at for s in states if s.last_received_at]
            relatives.append({
                "enrollee": enrollee, "states": states, "last_seen": max(seen) if seen else None,
                "alarms": Alarm.objects.filter(enrollee=enrollee).prefetch_related("events").order_by("-raised_at")[:10],
                "open": Alarm.objects.filter(enrollee=enrollee, is_open=True).count(),
            })
    # People with an open alarm first (most open alarms first), then by name.
    relatives.sort(key=lambda r: (-int(r["open"]), str(r["enrollee"])))
    return render(request, "homesafety/family.html", {"relatives": relatives, "me": me})


# --- dashboard ------------------------------------------------------------------------------------------


def response_rows(user: Any, since: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Per community (alarms raised since `since`, default 30 days): alarms, the shares acknowledged
    within 60 s and 180 s, median minutes to arrival, false-alarm share; one tally with the month's
    report (report.py)."""
    now = timezone.now()
    qs = report.alarms_between(user, since or now - dt.timedelta(days=30), now + dt.timedelta(seconds=1))
    return [{"place": t.label, "n": t.n, "n60": t.n60, "in60": t.in60, "n180": t.n180, "in180": t.in180,
             "false": t.false, "pct60": t.pct60, "pct180": t.pct180, "false_pct": t.false_pct,
             "arrival_median": t.arrival_median}
            for t in report.tally(report.facts(qs), lambda f: f.community, now)]


def panel_figures(user: Any) -> list[Figure]:
    alarms = restrict(Alarm.objects.filter(is_open=True), user, VIEW)
    devices = restrict(Device.objects.filter(active=True, enrollee__isnull=False), user, VIEW)
    rows = response_rows(user)
    total = sum(r["n"] for r in rows)
    month: list[Figure] = []
    if total:
        in60, n60 = sum(r["in60"] for r in rows), sum(r["n60"] for r in rows)
        false = sum(r["false"] for r in rows)
        month = [Figure(_("Acknowledged within 60 s, 30 days"), f"{100 * in60 / n60:.1f}%" if n60 else "—"),
                 Figure(_("False alarms, 30 days"), f"{100 * false / total:.1f}%")]
    day = timezone.now() - dt.timedelta(days=1)
    missing = restrict(SeqGap.objects.filter(detected_at__gte=day), user, VIEW).aggregate(n=Sum("missing"))["n"]
    return [
        Figure(_("Open alarms"), alarms.count(), url=reverse("homesafety:console")),
        Figure(_("Critical, open"), alarms.filter(severity=Severity.CRITICAL).count()),
        Figure(_("Unacknowledged"), alarms.filter(status=AlarmStatus.RAISED).count()),
        Figure(_("Enrolled persons"), restrict(Enrollee.objects.all(), user, VIEW).count()),
        Figure(_("Devices offline"), devices.filter(Q(state__online=False) | Q(state__isnull=True)).count()),
        # Sequence numbers that never arrived: a broker that dropped messages shows here.
        Figure(_("Messages missing, 24 h"), missing or 0),
        Figure(_("Device clocks off"), devices.filter(state__clock_offset_s__isnull=False).count()),
        *month,
    ]


def panel_charts(user: Any) -> list[Chart]:
    rows = response_rows(user)
    if not rows:
        return []
    places = [r["place"] for r in rows]
    return [
        Chart(_("Alarms acknowledged in time, last 30 days (%)"), "bar", places,
              {_("within 60 s"): [r["pct60"] for r in rows], _("within 180 s"): [r["pct180"] for r in rows]}),
        Chart(_("Minutes from alarm to arrival at the door (median), last 30 days"), "bar", places,
              {_("minutes"): [r["arrival_median"] or 0 for r in rows]}),
        Chart(_("False alarms, last 30 days (%)"), "bar", places, {_("false alarms"): [r["false_pct"] for r in rows]}),
    ]
