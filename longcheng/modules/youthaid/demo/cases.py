"""The youth aid demo's cases and money: screenings, visits and consents for each family, then the
fund's payment batches, a returned payment and the applications awaiting review (see __init__.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.ledger import actions as ledger
from longcheng.kernel.people.models import Consent
from longcheng.kernel.people.validators import age_on

from .. import actions, rules
from ..conf import conf, visit_days
from ..models import (
    AidType,
    Application,
    AppStatus,
    Attachment,
    CaseStatus,
    Outcome,
    Payment,
    Report,
    Screening,
    Trigger,
    Visit,
    Youth,
)
from .families import BANKS, REPORT_NOTES, Family, FamilyBuilder, _stage


class CaseBuilder(FamilyBuilder):
    def cases(self, families: list[Family]) -> None:
        """The cases reported by schools, communities, villages and the Youth League: profiles,
        consents, reports, screenings (the criteria's own reasons) and follow-up visits."""

        rng = self.rng
        line = conf("YOUTHAID_INCOME_LINE_FEN")
        rows = []
        for f in families:
            age = age_on(f.youth.birth_date, self.today)
            stage, school, grade = _stage(age, rng)
            size = rng.randint(2, 5) if not f.both_dead else rng.randint(1, 3)
            low = f.status not in (CaseStatus.NOT_ELIGIBLE, CaseStatus.APPEALED) or f.remarried
            per_head = int(line * rng.uniform(0.35, 0.9)) if low else int(line * rng.uniform(1.3, 2.0))
            known = f.status != CaseStatus.NEEDS_INFO
            hardship = rng.choice([0, 0, 1, 2, 3]) if known and low else 0
            f.profile = {"stage": stage, "hardship_grade": hardship}
            youth = Youth(
                person=f.youth, status=f.status, risk=rng.choice(["low", "medium", "medium", "high"]),
                case_worker=self.worker, deceased_parent=f.deceased, parent_died_on=f.deceased.died_on,
                surviving_parent=f.survivor,
                surviving_parent_status=("deceased" if f.both_dead else "remarried" if f.remarried else "not_remarried"),
                guardian=(f.elder if f.both_dead else f.survivor) if age < 18 else None,
                stage=stage if f.status != CaseStatus.REPORTED else "", school=school, grade=grade,
                university_admitted_year=(self.today.year - (age - 18) if stage == "university" and age <= 22 else
                                          (self.today.year - 4 if stage == "university" else None)),
                household_size=size if known else None,
                monthly_income_fen=(per_head * size // 10_000) * 10_000 if known else None,
                hardship_grade=hardship,
                needs=rng.choice(["学费和生活费", "心理疏导", "课业辅导", "冬衣和学习用品", "住房修缮"]),
                appeal_note=("母亲虽已再婚，但继父不承担孩子的生活费用，家庭实际仍很困难，申请复核。"
                             if f.status == CaseStatus.APPEALED and f.remarried else
                             "家庭收入中包含一次性赔偿款，不是经常性收入，申请复核。"
                             if f.status == CaseStatus.APPEALED else ""))
            rows.append((f, youth))
        created = Youth.objects.bulk_create([y for _f, y in rows], batch_size=1000)
        self.youths = created
        reports, screenings, consents, visits = [], [], [], []
        for (f, _y), youth in zip(rows, created, strict=True):
            note = REPORT_NOTES[f.channel].format(parent="父亲" if f.deceased is f.father else "母亲", cause=f.cause,
                                                  survivor="母亲" if f.survivor is f.mother else "父亲")
            reports.append(Report(youth=youth, reporter=self.reporter, channel=f.channel, note=note))
            if f.status == CaseStatus.REPORTED:
                continue
            reasons = rules.criteria(rules.facts_of(youth), self.today)
            outcome = rules.outcome_of(reasons)
            screenings.append(Screening(youth=youth, outcome=outcome, reasons=[r.as_dict() for r in reasons],
                                        trigger=Trigger.INTAKE, by=self.worker))
            expected = {CaseStatus.ACTIVE: Outcome.ELIGIBLE, CaseStatus.NEEDS_INFO: Outcome.NEEDS_INFO}.get(
                CaseStatus(f.status), Outcome.NOT_ELIGIBLE)
            if outcome != expected:  # the rules decide (a changed income line in the settings, say)
                youth.status = {Outcome.ELIGIBLE: CaseStatus.ACTIVE, Outcome.NEEDS_INFO: CaseStatus.NEEDS_INFO}.get(
                    Outcome(outcome), CaseStatus.NOT_ELIGIBLE)
                Youth.objects.filter(pk=youth.pk).update(status=youth.status)
            age = age_on(f.youth.birth_date, self.today)
            given_by = youth.guardian if age < 14 and youth.guardian else f.youth
            when = self.now - dt.timedelta(days=rng.randint(120, 300))
            consents.append(Consent(subject=f.youth, given_by=given_by, purpose="youthaid", given_at=when,
                                    scope="身份、家庭、学业和家庭经济情况，用于跟踪帮扶", recorded_by=self.worker))
            if youth.status == CaseStatus.ACTIVE:
                consents.append(Consent(subject=f.youth, given_by=given_by, purpose="youthaid", given_at=when,
                                        sensitive=True, scope="健康状况和银行账户，用于审核和发放救助",
                                        recorded_by=self.worker))
                last = self.today - dt.timedelta(days=rng.randint(5, 80))
                if rng.random() < 0.12:  # a few visits overdue: the case worker's list shows them first
                    last = self.today - dt.timedelta(days=rng.randint(100, 150))
                risk = youth.risk
                for back in (rng.randint(90, 150), 0)[rng.randint(0, 1):]:
                    day = last - dt.timedelta(days=back)
                    visits.append(Visit(youth=youth, visited_on=day, situation=rng.choice([
                        "孩子在校表现稳定，和同学相处融洽。", "家中老人身体不好，孩子放学后要做家务。",
                        "期中考试成绩有进步，情绪比上次开朗。", "幸存家长工作不稳定，家庭收入偏低。"]),
                        needs=youth.needs, risk=risk, next_due=day + dt.timedelta(days=visit_days(risk)),
                        by=self.worker))
                youth.last_visit_on = last
                youth.next_visit_due = last + dt.timedelta(days=visit_days(risk))
        Report.objects.bulk_create(reports, batch_size=1000)
        Screening.objects.bulk_create(screenings, batch_size=1000)
        Consent.objects.bulk_create(consents, batch_size=1000)
        Visit.objects.bulk_create(visits, batch_size=1000)
        Youth.objects.bulk_update([y for y in created if y.last_visit_on], ["last_visit_on", "next_visit_due"],
                                  batch_size=500)

    # --- money -------------------------------------------------------------------------------------------------

    def _active(self) -> list[Youth]:
        active = [y for y in self.youths if y.status == CaseStatus.ACTIVE]
        for y in active:
            y.age = age_on(y.person.birth_date, self.today)  # type: ignore[attr-defined]
        return active

    def _proof(self, label: str) -> SimpleUploadedFile:
        # A one-page PDF standing in for a scan: proofs are PDF, JPEG or PNG (kernel.uploads).
        note = f"{label} demo material, not a real document".encode("unicode_escape").decode("ascii")
        body = ("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
                "endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
                f"% {note}\ntrailer<</Root 1 0 R>>\n%%EOF\n")
        return SimpleUploadedFile(f"{label}.pdf", body.encode("ascii"), content_type="application/pdf")

    def first_batch(self) -> None:
        """50 education grants of 6,000, living assistance 60 × 1,000 + 60 × 2,000 + 30 × 3,000 and
        medical re-aid 11 × 20,000 + 1 × 1,000: 791,000 yuan. Applications, proofs and audit rows in
        bulk; each approval commits its amount on the fund (keys as the review action's); the batch
        is made and paid through the payment actions."""

        rng = self.rng
        types = {a.code: a for a in AidType.objects.all()}
        active = self._active()
        used: set[int] = set()

        def take(count: int, test: Callable[[Youth], bool]) -> list[Youth]:
            chosen = [y for y in active if y.pk not in used and test(y)][:count]
            if len(chosen) < count:
                raise RuntimeError(f"the demo case load has too few youths for its first batch ({len(chosen)})")
            used.update(y.pk for y in chosen)
            return chosen

        education = take(50, lambda y: y.stage == "university")
        plan: list[tuple[Youth, str, int]] = [(y, "education", 600_000) for y in education]
        for grade, count in ((1, 60), (2, 60), (3, 30)):
            for y in take(count, lambda y: True):
                y.hardship_grade = grade
                plan.append((y, "living", grade * 100_000))
        for n, y in enumerate(take(12, lambda y: True)):
            y.serious_illness = True
            y.health_note = rng.choice(["白血病，化疗中", "先天性心脏病术后", "重度烧伤康复期", "肾病综合征"])
            plan.append((y, "medical", 2_000_000 if n < 11 else 100_000))
        self.medical_small = plan[-1][0]
        self.education = education
        self.spare = [y for y in active if y.pk not in used]
        aided = {y.pk: y for y, _c, _a in plan}
        for y in aided.values():
            y.bank_name = rng.choice(BANKS)
            y.bank_account = (f"622848{rng.randint(0, 10**13 - 1):013d}" if rng.random() < 0.7
                              else f"6217{rng.randint(0, 10**12 - 1):012d}")
        Youth.objects.bulk_update(list(aided.values()), ["hardship_grade", "serious_illness", "health_note",
                                                         "bank_name", "bank_account"], batch_size=500)
        applied = self.now - dt.timedelta(days=75)
        reasons = {"education": "已被大学录取，家庭无力承担学费，申请助学金。",
                   "living": "家庭生活困难，申请生活救助。", "medical": "住院治疗费用经医保报销后自付部分仍较高，申请医疗再救助。"}
        apps = [Application(youth=y, aid_type=types[code], year=self.today.year, requested_fen=amount,
                            reason=reasons[code], status=AppStatus.APPROVED, recommended_fen=amount,
                            recommendation="经走访核实，情况属实，建议资助。", recommended_by=self.worker,
                            recommended_at=applied + dt.timedelta(days=5), approved_fen=amount,
                            decision_reason="符合条件，同意资助。", decided_by=self.reviewer,
                            decided_at=applied + dt.timedelta(days=12), created_by=self.worker)
                for y, code, amount in plan]
        Application.objects.bulk_create(apps, batch_size=500)
        proofs = [(a, self._proof(a.aid_type.proof_label or "证明材料")) for a in apps if a.aid_type.proof_required]
        Attachment.objects.bulk_create([Attachment(application=a, file=proof, name=str(proof.name), size=proof.size or 0,
                                                   uploaded_by=self.worker) for a, proof in proofs], batch_size=200)
        fund_account = ledger.fund_account(self.fund)
        commitment = ledger.fund_account(self.fund, ledger.AccountKind.COMMITMENT)
        ledger.do_post_entries([ledger.EntrySpec(
            lines=[(fund_account, -(a.approved_fen or 0)), (commitment, a.approved_fen or 0)],
            memo=actions.commit_memo(a), idempotency_key=f"youthaid:commit:{a.pk}") for a in apps],
            kind="commitment", acting_user=self.reviewer, audit_obj=self.fund, at=applied + dt.timedelta(days=12))
        youth_type = ContentType.objects.get_for_model(Youth)
        AuditEntry.objects.bulk_create([
            AuditEntry(actor=actor, action=action, object_type=youth_type, object_id=str(a.youth.pk),
                       object_repr=str(a.youth.person)[:200], reason=why,
                       after={"application": a.pk, "aid_type": a.aid_type.code, "amount_fen": a.approved_fen})
            for a in apps for actor, action, why in ((self.worker, "youthaid.apply", a.reason),
                                                     (self.worker, "youthaid.recommend", a.recommendation),
                                                     (self.reviewer, "youthaid.decide", a.decision_reason))],
            batch_size=1000)
        batch = actions.do_create_batch(title=f"{self.today.year}年倾溧助第一批资助发放", acting_user=self.reviewer,
                                        applications=[a.pk for a in apps])
        actions.do_pay_batch(batch, acting_user=self.reviewer)
        self.say(f"first batch {batch.code}: {batch.count} payments, {ledger.format_fen(batch.total_fen)}")

    def second_batch(self) -> None:
        """Re-aid: two youths who had the education grant in the first batch fall into hardship and
        get living assistance through the real actions, paid in a second batch; the bank returns one
        (a closed account), which is re-issued into an open batch."""

        pair = self.education[3:5]
        apps = []
        for n, y in enumerate(pair):
            actions.do_update_profile(y.pk, acting_user=self.worker, reason="家访核实困难等级和银行账户",
                                      hardship_grade=1, bank_name=BANKS[n], bank_account=f"62284800{y.pk:011d}")
            app = actions.do_apply(y.pk, aid_type="living", amount_fen=100_000, acting_user=self.worker,
                                   reason="在世家长失业，入学后生活费无着落，申请生活救助。")
            actions.do_recommend(app, recommend=True, note="情况属实，建议按一级困难标准资助。", acting_user=self.worker)
            apps.append(actions.do_decide(app, approve=True, reason="", acting_user=self.reviewer))
        batch = actions.do_create_batch(title=f"{self.today.year}年倾溧助第二批资助发放", acting_user=self.reviewer,
                                        applications=[a.pk for a in apps])
        actions.do_pay_batch(batch, acting_user=self.reviewer)

        for payment, why in zip(Payment.objects.filter(batch=batch).order_by("pk")[:1], ["账户已销户"], strict=True):
            actions.do_return_payment(payment, reason=why, acting_user=self.reviewer)
            actions.do_update_profile(payment.youth_id, acting_user=self.worker, reason="家长提供新的银行卡",
                                      bank_account=f"62170000{payment.youth_id:011d}")
            actions.do_reissue(payment, acting_user=self.reviewer)
        self.say(f"second batch {batch.code}: 2 re-aid payments, 1 returned by the bank and re-issued")

    def awaiting_review(self) -> None:
        """Re-aid applications recommended by the case worker (the review page has work), and two
        fresh ones awaiting the case worker."""

        small = self.medical_small
        app = actions.do_apply(small.pk, aid_type="medical", amount_fen=800_000, acting_user=self.worker,
                               reason="病情复发再次住院，自付费用约八千元，申请医疗再救助。",
                               attachments=[self._proof("医疗费用票据")])
        actions.do_recommend(app, recommend=True, note="已核对住院票据，建议资助。", acting_user=self.worker)
        for y in self.education[:3]:
            actions.do_update_profile(y.pk, acting_user=self.worker, reason="入学后家庭经济状况复核", hardship_grade=2)
            app = actions.do_apply(y.pk, aid_type="living", amount_fen=200_000, acting_user=self.worker,
                                   reason="入学后生活费无着落，申请生活救助。")
            actions.do_recommend(app, recommend=True, note="二级困难，建议资助两千元。", acting_user=self.worker)
        for y in self.spare[:2]:
            actions.do_update_profile(y.pk, acting_user=self.worker, reason="家访核实困难等级", hardship_grade=1)
            actions.do_apply(y.pk, aid_type="living", amount_fen=100_000, acting_user=self.worker,
                             reason="家庭收入低于困难线，申请生活救助。")
        self.spare = self.spare[2:]
        self.say("4 re-aid applications awaiting review, 2 awaiting the case worker")

    # --- hope parents and dream rooms ----------------------------------------------------------------------
