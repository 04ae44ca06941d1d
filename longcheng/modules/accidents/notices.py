"""SMS to the two drivers through the kernel's notify outbox (kernel/notify): the liability is
decided (sign on your phone), the officer calls you to the scene, the agreement is signed and handed
to your insurer (your claim number), your insurer changed the claim's status. Queued inside the
action's transaction, so a change rolled back sends nothing; each message has a dedupe key, so a
retry or a second run sends nothing twice."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import pgettext

from longcheng.kernel.notify.api import queue_message

from .models import Handoff, Party, Report

SIGNATURE = "龙e处"


def _send(party: Party, report: Report, key: str, body: str) -> bool:
    # A driver who has not confirmed their details has given no phone number to write to.
    if not party.phone:
        return False
    queue_message("sms", subject=f"{SIGNATURE} {report.pk}", body=body, address=party.phone, related=report,
                  dedupe_key=f"accidents:{report.pk}:{key}:{party.side}")
    return True


def _chinese() -> translation.override:
    # The SMS goes to drivers on the roads of Changzhou, in the site's language, whatever language
    # the officer or insurer who caused it reads their own pages in.
    return translation.override(settings.LANGUAGE_CODE)


def liability_decided(report: Report) -> int:
    with _chinese():
        sent = 0
        for party in report.parties.all():
            own = report.get_liability_a_display() if party.side == "A" else report.get_liability_b_display()
            body = pgettext("accidents", "Accident report %(pk)s: liability decided, yours is %(liability)s. "
                            "Open the report on your phone and sign the agreement.") % {
                "pk": report.pk, "liability": own}
            sent += _send(party, report, "decided", body)
        return sent


def called_to_scene(report: Report) -> int:
    with _chinese():
        body = pgettext("accidents", "Accident report %(pk)s: the officer asks both drivers to wait at the scene "
                        "for the police. %(reason)s") % {"pk": report.pk, "reason": report.decision_reason}
        return sum(_send(party, report, "scene", body) for party in report.parties.all())


def handed_off(report: Report, handoffs: list[Handoff]) -> int:
    with _chinese():
        sent = 0
        for handoff in handoffs:
            body = pgettext("accidents", "Accident report %(pk)s: both drivers signed. The agreement went to "
                            "%(insurer)s, claim number %(claim)s%(self_pay)s.") % {
                "pk": report.pk, "insurer": handoff.insurer.name, "claim": handoff.claim_no,
                "self_pay": pgettext("accidents", " (互碰自赔: your insurer pays you)") if handoff.mutual_self_pay
                else ""}
            sent += _send(handoff.party, report, "handoff", body)
        return sent


def claim_status(handoff: Handoff) -> int:
    with _chinese():
        body = pgettext("accidents", "Accident report %(pk)s: your claim %(claim)s at %(insurer)s is now: "
                        "%(status)s.") % {"pk": handoff.report_id, "claim": handoff.claim_no,
                                          "insurer": handoff.insurer.name, "status": handoff.get_status_display()}
        return int(_send(handoff.party, handoff.report, f"claim-{handoff.status}", body))
