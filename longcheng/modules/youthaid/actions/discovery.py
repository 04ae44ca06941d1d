"""Finding youths: a report by a teacher or worker, and a death recorded in the resident registry."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import require_perm, restrict
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import KernelError, NotFound
from longcheng.kernel.people.models import Relationship, Resident
from longcheng.kernel.people.validators import age_on, mask_name, validate_resident_id

from .. import rules
from ..conf import conf
from ..errors import ErrorCode as Code
from ..models import (
    CaseStatus,
    Channel,
    ParentStatus,
    Report,
    Youth,
)
from . import common
from .common import PARENT_KINDS, REPORT, _text
from .screening import prescreening


def not_in_your_area() -> NotFound:
    """The one answer for a number the reporter cannot act on: not registered, registered outside
    their area, or whatever the registry holds there (name, death, age). Same message, code, status
    and field for all, so the form is no oracle on the registry (docs/security.md)."""
    return NotFound(_("No youth with this ID number is registered in your area. Check the number; a youth not yet "
                      "registered is registered by their community or village first, and a youth of another "
                      "area is reported there or to the Youth League case worker."), field="resident_id")


def do_report(*, resident_id: str, name: str, channel: str, note: str, acting_user: User) -> Report:
    """A teacher, community or village worker or league cadre reports a youth registered in their own
    area. A youth already on the registry joins the existing case (a second reporter adds a report);
    the same reporter reporting the same youth again is refused as a duplicate.

    The form is no oracle on the registry: the person is looked up within the reporter's scope only
    (one query, whatever the registry holds elsewhere), and a number not found there gets
    `not_in_your_area()` before anything else about it is judged. Only a person inside the area gets
    the answers about name or a recorded death (docs/security.md, "Reporters"). The age is read
    from the number itself before the registry: an over-age youth is told so whether registered or
    not, never asked to be registered in a place first."""
    from longcheng.kernel.people.validators import birth_date_of

    require_perm(acting_user, REPORT)
    number = validate_resident_id(resident_id)
    name = _text(name, "name", limit=50)
    if channel not in Channel.values or channel == Channel.REGISTRY:
        raise KernelError(_("Choose how you know the youth: school, community, village or Youth League."),
                          field="channel")
    note = _text(note, "note", minimum=4)
    # The age is in the number itself (not the registry's answer): a youth over the limit is told so
    # first, not sent to be registered in a place for a fund that cannot help them.
    limit = conf("YOUTHAID_STUDENT_MAX_AGE")
    age = age_on(birth_date_of(number), common._today())
    if age > limit:
        raise KernelError(_("By this ID number the youth is %(age)d; the fund helps youths up to %(n)d years old.")
                          % {"age": age, "n": limit}, field="resident_id")
    with transaction.atomic():
        person = (restrict(Resident.objects.select_related("place"), acting_user, REPORT)
                  .filter(resident_id=number).first())
        if person is None:
            raise not_in_your_area()
        if person.name != name:
            raise KernelError(_("The name does not match the registry for this ID number."), field="name")
        if person.died_on is not None:
            raise KernelError(_("The registry records this person's death."), field="resident_id")
        youth, created = Youth.objects.select_for_update().get_or_create(
            person=person, defaults={"status": CaseStatus.REPORTED})
        if not created and Report.objects.filter(youth=youth, reporter=acting_user).exists():
            raise KernelError(_("You have already reported this youth; follow the case in your reports."),
                              code=Code.ALREADY_REPORTED, field="resident_id")
        if not created and youth.status == CaseStatus.OUTREACH:
            youth.status = CaseStatus.REPORTED
            youth.save(update_fields=["status", "updated_at"])
        report = Report.objects.create(youth=youth, reporter=acting_user, channel=channel, note=note)
        record(acting_user, "youthaid.report" if created else "youthaid.report_joined", youth,
               after={"channel": channel, "report": report.pk}, reason=note[:200])
    return report


def on_person_died(*, person: Resident, acting_user: User | None = None, **_payload: Any) -> list[Youth]:
    """The registry recorded a death: every minor child or possible student (under the age limit) of
    the deceased goes on the outreach list at once, with the reason. Runs inside the kernel's
    transaction, so a death is never recorded without its outreach."""
    limit = conf("YOUTHAID_STUDENT_MAX_AGE")
    today = common._today()
    links = (Relationship.objects.filter(relative=person, kind__in=PARENT_KINDS)
             .select_related("person"))
    found = []
    for link in links:
        child = link.person
        if child.died_on is not None or age_on(child.birth_date, today) > limit:
            continue
        reason = _("%(kind)s %(name)s died on %(date)s (resident registry).") % {
            "kind": link.get_kind_display(), "name": mask_name(person.name), "date": person.died_on}
        youth, created = Youth.objects.get_or_create(person=child, defaults={
            "status": CaseStatus.OUTREACH, "deceased_parent": person, "parent_died_on": person.died_on})
        if not created and youth.deceased_parent_id is None:
            youth.deceased_parent, youth.parent_died_on = person, person.died_on
            youth.save(update_fields=["deceased_parent", "parent_died_on", "updated_at"])
        # The other parent as the scan takes them (scan._families): the first by record id.
        other = (Relationship.objects.filter(person=child, kind__in=PARENT_KINDS).exclude(relative=person)
                 .select_related("relative").order_by("relative_id").first())
        if other is not None and youth.surviving_parent_id is None:
            youth.surviving_parent = other.relative
            youth.surviving_parent_status = (ParentStatus.DECEASED if other.relative.died_on
                                             else _remarriage(other.relative, person))
            youth.save(update_fields=["surviving_parent", "surviving_parent_status", "updated_at"])
        Report.objects.create(youth=youth, reporter=None, channel=Channel.REGISTRY, note=reason)
        if created:  # pre-screened as the scan does; a case already open is screened by its case worker
            facts = rules.registry_facts(birth_date=child.birth_date, parent_died_on=person.died_on,
                                         surviving_parent_status=youth.surviving_parent_status)
            prescreening(youth.pk, facts, today, by=acting_user,
                         note=_("Death recorded in the resident registry")).save()
        record(acting_user, "youthaid.outreach", youth, after={"deceased": person.pk}, reason=reason[:200])
        found.append(youth)
    return found


def _remarriage(parent: Resident, deceased: Resident) -> str:
    """The registry's spouse links: a spouse other than the deceased means a remarriage."""
    spouses = Relationship.objects.filter(person=parent, kind="spouse").exclude(relative=deceased)
    return ParentStatus.REMARRIED if spouses.exists() else ParentStatus.NOT_REMARRIED
