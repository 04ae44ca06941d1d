"""The demo's share of 一件事: a week of synthetic applications in 武进区.

About forty cases of the demo enterprises, all registered in Wujin towns (the demo moves them there:
data, not code), submitted over the last seven working days through the real actions, with the
module's clock (`clock.now`) set to each moment of the week while building, so submissions,
decisions and due times spread over the week: relocations mostly to 常州经开区 and other districts,
some deregistrations and business start-ups; completed on time, completed late, waiting for the
applicant's correction, open and due soon, overdue and escalated to the window's head, rejected, and
drafts refused by the pre-checks (arrears recorded against the enterprise).

The applicants are one synthetic staff member per enterprise (no usable password); the demo account
`enterprise_user` applies for one of them, so a demo login has a correction to answer. Idempotent: a
second run finds the demo enterprises' cases and adds nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from longcheng.kernel.access.models import RoleAssignment, User
from longcheng.kernel.orgs.models import Organisation
from longcheng.kernel.places.models import Level, Place
from longcheng.kernel.workdays.api import SHANGHAI, is_working_day, working_days_between

from . import actions, clock
from .catalogue import DEPARTMENTS, OFFICES
from .models import Case, CaseStatus, Task

Log = Callable[[str], None]
PREFIX = "onestop-demo-"
WUJIN = "320412"
DAYS = 7
# Where the relocations go: mostly the development zone, some other districts.
TARGETS = ["320400-JK"] * 5 + ["320402", "320411", "320404"]
ROADS = ["人民东路", "延政中路", "武宜北路", "常武路", "湖滨路", "花园街", "长虹路", "阳湖路", "聚湖路", "龙锦路"]
REASONS = ["扩大产能，靠近客户", "原厂房租约到期", "入驻开发区产业园", "整合生产基地", "降低物流成本"]


@dataclass
class Plan:
    service: str
    outcome: str  # on_time, late, answered, correction, due_soon, overdue, rejected, draft_blocked
    day: int  # index into the week's working days, 0 = the oldest


PLANS: list[Plan] = [
    *(Plan("relocation", "on_time", d) for d in (0, 1, 2, 3, 4, 5)),
    *(Plan("relocation", "late", d) for d in (0, 2, 4)),
    Plan("relocation", "answered", 3),
    *(Plan("relocation", "correction", d) for d in (4, 5, 6)),
    *(Plan("relocation", "due_soon", 6) for _ in range(2)),
    *(Plan("relocation", "overdue", d) for d in (1, 3, 4)),
    *(Plan("relocation", "rejected", d) for d in (2, 5)),
    *(Plan("relocation", "draft_blocked", d) for d in (3, 6)),
    *(Plan("deregistration", "on_time", d) for d in (0, 3)),
    Plan("deregistration", "correction", 5),
    Plan("deregistration", "overdue", 1),
    Plan("deregistration", "rejected", 4),
    Plan("deregistration", "draft_blocked", 5),
    *(Plan("startup", "on_time", d) for d in (1, 2, 5)),
    Plan("startup", "late", 3),
    Plan("startup", "due_soon", 6),
    Plan("startup", "correction", 6),
    Plan("startup", "overdue", 2),
    Plan("startup", "rejected", 4),
]
# Completed relocations move the enterprise out of Wujin; blocked drafts carry arrears: such an
# enterprise gets no other case.
# Enterprises with no other case: those that move (their district changes) and those deregistered
# (a closed enterprise applies for nothing more).
# A deregistration is submitted only while no other application of the enterprise runs (and
# blocks the others while it runs): every deregistration gets an enterprise of its own.
EXCLUSIVE = {("relocation", "on_time"), ("relocation", "late"), ("relocation", "answered"),
             *(("deregistration", outcome) for outcome in ("on_time", "correction", "overdue", "rejected",
                                                            "draft_blocked"))}


class _Clock:
    def __init__(self) -> None:
        self.moment = timezone.now()

    def __call__(self) -> dt.datetime:
        return self.moment


def _working_days(now: dt.datetime) -> list[dt.date]:
    days: list[dt.date] = []
    day = now.astimezone(SHANGHAI).date()
    while len(days) < DAYS:
        day -= dt.timedelta(days=1)
        if is_working_day(day):
            days.append(day)
    return days[::-1]


def _due_soon_start(now: dt.datetime) -> dt.datetime:
    """A moment before `now` such that a half-day task opened then is due soon at `now`."""
    moment = now.astimezone(SHANGHAI).replace(second=0, microsecond=0)
    for _step in range(48 * 8):
        moment -= dt.timedelta(minutes=30)
        due = clock.due(moment, Decimal("0.5"))
        if due is not None and due > now and working_days_between(now, due) < Decimal("0.5"):
            return moment
    return now - dt.timedelta(minutes=30)


def _allocate(enterprises: list[Any]) -> list[tuple[Plan, Any]]:
    used: dict[int, set[str]] = {e.pk: set() for e in enterprises}
    exclusive: set[int] = set()
    result: list[tuple[Plan, Any]] = []
    ordered = sorted(PLANS, key=lambda p: ((p.service, p.outcome) not in EXCLUSIVE and p.outcome != "draft_blocked"))
    for plan in ordered:
        alone = (plan.service, plan.outcome) in EXCLUSIVE or plan.outcome == "draft_blocked"
        for e in enterprises:
            if e.pk in exclusive or plan.service in used[e.pk] or (alone and used[e.pk]):
                continue
            used[e.pk].add(plan.service)
            if alone:
                exclusive.add(e.pk)
            result.append((plan, e))
            break
    return result


def _place_enterprises(enterprises: list[Any], towns: list[Any]) -> None:
    for n, enterprise in enumerate(enterprises):
        if enterprise.place is not None and enterprise.place.path.startswith(towns[0].parent.path):
            continue
        town = towns[n % len(towns)]
        enterprise.place = town
        enterprise.address = f"常州市武进区{town.name}{ROADS[n % len(ROADS)]}{10 + n * 3}号"
        enterprise.save(update_fields=["place", "address"])


def _applicant(enterprise: Any, wujin: Any, demo_user: Any) -> Any:
    if demo_user is not None and demo_user.organisation_id == enterprise.pk:
        return demo_user
    username = PREFIX + (enterprise.code or str(enterprise.pk))
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, display_name=f"{enterprise.name}经办人（演示）", organisation=enterprise)
        user.set_unusable_password()
        user.save()
    if not RoleAssignment.objects.filter(user=user, role="enterprise_user").exists():
        RoleAssignment.objects.create(user=user, role="enterprise_user").places.set([wujin])
    return user


def _form(plan: Plan, enterprise: Any, n: int, targets: list[Any], day: dt.date) -> dict[str, Any]:
    if plan.service == "relocation":
        town = targets[n % len(targets)]
        return {"new_place": town.code, "new_address": f"{town.parent.name}{town.name}{ROADS[(n + 3) % len(ROADS)]}"
                f"{20 + n}号", "moving_date": (day + dt.timedelta(days=14)).isoformat(),
                "reason": REASONS[n % len(REASONS)]}
    if plan.service == "deregistration":
        return {"reason": ["dissolution", "expiry", "merger"][n % 3],
                "liquidation_date": (day - dt.timedelta(days=20)).isoformat(), "remaining_assets": 1_250_000 * (n + 1)}
    return {"business_scope": "机械设备研发、制造与销售", "registered_capital": 5_000_000_00 + n * 1_000_000_00,
            "opening_date": (day + dt.timedelta(days=30)).isoformat(), "power_capacity": ["low", "high"][n % 2]}


class _Run:
    """Acts one plan with the clock set to each moment."""

    def __init__(self, fake: _Clock, clerks: dict[str, Any]) -> None:
        self.fake, self.clerks = fake, clerks

    def at(self, moment: dt.datetime) -> None:
        self.fake.moment = moment

    def tasks(self, case: Case) -> dict[str, Task]:
        return {t.code: t for t in Task.objects.filter(case=case)}

    def office(self, task: Task) -> Any:
        return self.clerks[DEPARTMENTS[task.department].office]

    def accept(self, case: Case, code: str, moment: dt.datetime, result: dict[str, Any] | None = None) -> None:
        self.at(moment)
        task = self.tasks(case)[code]
        actions.do_accept(task, result or {"note": "已办结"}, acting_user=self.office(task))

    def correct(self, case: Case, code: str, moment: dt.datetime, request: str) -> Any:
        self.at(moment)
        task = self.tasks(case)[code]
        return actions.do_ask_correction(task, request, acting_user=self.office(task))

    def reject(self, case: Case, code: str, moment: dt.datetime, reason: str) -> None:
        self.at(moment)
        task = self.tasks(case)[code]
        actions.do_reject(task, reason, acting_user=self.office(task))


def _act(run: _Run, plan: Plan, case: Case, applicant: Any, day: Callable[[int, int, int], dt.datetime]) -> None:
    d, svc, out = plan.day, plan.service, plan.outcome
    authority = "常州经开区市场监督管理局"
    if svc == "relocation":
        if out == "on_time":
            for code, h, m in (("file_out", 10, 0), ("move_in", 10, 30), ("tax", 11, 0), ("social_security", 14, 0),
                               ("housing_fund", 15, 0)):
                run.accept(case, code, day(d, h, m))
            run.accept(case, "change_registration", day(d, 16, 0), {"registration_authority": authority})
        elif out == "late":
            for code, dd, h in (("file_out", 1, 10), ("move_in", 1, 11), ("tax", 1, 15), ("social_security", 2, 10),
                                ("housing_fund", 2, 11)):
                run.accept(case, code, day(d + dd, h, 0))
            run.accept(case, "change_registration", day(d + 2, 15, 0), {"registration_authority": authority})
        elif out == "answered":
            corr = run.correct(case, "tax", day(d, 9, 30), "请补充最近一期纳税申报表")
            for code, h in (("file_out", 10), ("move_in", 11), ("social_security", 14), ("housing_fund", 15)):
                run.accept(case, code, day(d, h, 0))
            run.at(day(d + 1, 10, 0))
            actions.do_answer_correction(corr, "已上传最近一期纳税申报表", acting_user=applicant)
            run.accept(case, "tax", day(d + 1, 14, 0))
            run.accept(case, "change_registration", day(d + 1, 15, 0), {"registration_authority": authority})
        elif out == "correction":
            run.correct(case, "move_in", day(d, 10, 0), "请补充新址房屋租赁合同及产权证明")
            for code, h in (("file_out", 11), ("tax", 14), ("social_security", 15), ("housing_fund", 16)):
                run.accept(case, code, day(d, h, 0))
        elif out == "overdue":
            for code, h, m in (("file_out", 10, 0), ("move_in", 11, 0), ("tax", 14, 0)):
                run.accept(case, code, day(d, h, m))
        elif out == "rejected":
            run.reject(case, "move_in", day(d, 11, 0), "新址为住宅用房，不能登记为经营场所")
    elif svc == "deregistration":
        if out in ("on_time", "overdue", "correction"):
            if out == "correction":
                run.correct(case, "social_security", day(d, 10, 0), "请先结清2026年10月社会保险费")
            else:
                run.accept(case, "social_security", day(d, 14, 0))
            run.accept(case, "tax_clearance", day(d, 11, 0), {"clearance_no": f"常税清〔2026〕{case.pk:04d}号"})
            run.accept(case, "housing_fund", day(d, 15, 0))
        if out == "on_time":
            run.accept(case, "deregistration", day(d + 1, 10, 0))
            run.accept(case, "seal_cancellation", day(d + 1, 14, 0))
            run.accept(case, "bank_closure", day(d + 1, 15, 0))
        elif out == "rejected":
            run.reject(case, "tax_clearance", day(d, 11, 0), "存在尚未申报的增值税，请先办理申报")
    else:
        licence = {"licence_no": case.enterprise.uscc or f"DEMO{case.pk}"}
        if out == "rejected":
            run.reject(case, "licence", day(d, 11, 0), "经营范围含需前置审批的项目，请先取得许可")
            return
        if out in ("on_time", "correction", "overdue"):
            run.accept(case, "licence", day(d, 10, 0), licence)
        elif out == "late":
            run.accept(case, "licence", day(d + 1, 10, 0), licence)
        if out in ("on_time", "late"):
            dd = 0 if out == "on_time" else 1
            for n, code in enumerate(("seal", "invoice_tax", "social_security", "housing_fund", "bank_account")):
                run.accept(case, code, day(d + dd, 14 + n // 2, 30 * (n % 2)))
        elif out == "correction":
            run.correct(case, "bank_account", day(d, 11, 0), "请补充法定代表人身份证明")
            for n, code in enumerate(("seal", "invoice_tax", "social_security", "housing_fund")):
                run.accept(case, code, day(d, 14 + n // 2, 30 * (n % 2)))


def _demo_pdf(title: str) -> Any:
    """A one-page PDF standing in for a scanned document (the demo has no real scans)."""
    text = title.encode("unicode_escape").decode("ascii").replace("(", "").replace(")", "")
    body = (f"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            f"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n% {text}\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    return ContentFile(body.encode("ascii"), name="新址租赁合同.pdf")


def build(*, log: Log = print, progress: Callable[[int], None] | None = None, now: dt.datetime | None = None,
          **options: Any) -> None:
    enterprises = list(Organisation.objects.filter(kind="enterprise", code__startswith="enterprise-")
                       .select_related("place").order_by("code"))
    wujin = Place.objects.filter(code=WUJIN).first()
    clerks = {code: User.objects.filter(username=f"onestop_clerk_{code}").first() for code in OFFICES}
    if wujin is None or not enterprises or not all(clerks.values()):
        log("  one-stop: skipped (the demo places, organisations and staff are built first)")
        return
    if Case.objects.filter(enterprise__in=enterprises).exists():
        log(f"  one-stop: {Case.objects.filter(enterprise__in=enterprises).count()} demo cases already built")
        return
    now = now or timezone.now()
    week = _working_days(now)
    towns = list(Place.objects.filter(parent=wujin, level=Level.STREET).select_related("parent").order_by("code"))
    target_districts = {p.code: p for p in Place.objects.filter(code__in=set(TARGETS))}
    targets = [t for code in TARGETS if code in target_districts
               for t in Place.objects.filter(parent=target_districts[code]).select_related("parent").order_by("code")[:2]]
    fake = _Clock()
    original = clock.now
    clock.now = fake
    try:
        with transaction.atomic():
            _place_enterprises(enterprises, towns)
            demo_user = User.objects.filter(username="enterprise_user").first()
            allocation = _allocate(enterprises)
            if demo_user is not None and demo_user.organisation_id is None:
                chosen = next(e for p, e in allocation if (p.service, p.outcome) == ("relocation", "correction"))
                demo_user.organisation = chosen
                demo_user.save(update_fields=["organisation"])
            run = _Run(fake, clerks)

            def day(index: int, hour: int, minute: int = 0) -> dt.datetime:
                return dt.datetime.combine(week[min(index, DAYS - 1)], dt.time(hour, minute), tzinfo=SHANGHAI)

            due_soon_start = _due_soon_start(now)
            allocation.sort(key=lambda pe: pe[0].day)
            for n, (plan, enterprise) in enumerate(allocation):
                applicant = _applicant(enterprise, wujin, demo_user)
                if progress:
                    progress(1)
                submit_at = due_soon_start if plan.outcome == "due_soon" else day(plan.day, 9)
                run.at(submit_at - dt.timedelta(minutes=20))
                if plan.outcome == "draft_blocked":
                    facts = ({"tax_arrears_fen": 3_268_000 + n * 10_000} if plan.service == "relocation"
                             else {"social_arrears_fen": 845_600})
                    office = "tax" if "tax_arrears_fen" in facts else "social_security"
                    actions.do_set_standing(enterprise, acting_user=clerks[office], **facts)
                case = actions.do_start(plan.service, enterprise.uscc, _form(plan, enterprise, n, targets, week[plan.day]),
                                        acting_user=applicant)
                run.at(submit_at)
                if plan.outcome == "draft_blocked":
                    try:
                        actions.do_submit(case, acting_user=applicant)
                    except actions.PrecheckFailed:
                        pass  # stays a draft, the blockers shown on its page
                    continue
                actions.do_submit(case, acting_user=applicant)
                if plan.service == "relocation" and n % 2 == 0:
                    actions.do_attach(case, "premises", _demo_pdf(f"{enterprise.name} 新址租赁合同"),
                                      acting_user=applicant)
                _act(run, plan, case, applicant, day)
            run.at(now)
            escalated = clock.escalate_overdue(at=now)
    finally:
        clock.now = original
    cases = Case.objects.filter(enterprise__in=enterprises)
    counts = {s: cases.filter(status=s).count() for s in CaseStatus.values}
    log(f"  one-stop: {cases.count()} cases over {week[0]:%Y-%m-%d}..{week[-1]:%Y-%m-%d} "
        f"({', '.join(f'{k} {v}' for k, v in counts.items() if v)}; {escalated} overdue tasks escalated)")
