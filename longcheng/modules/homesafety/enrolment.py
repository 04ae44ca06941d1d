"""Importing a survey list (CSV or XLSX) of persons to visit, with a per-row report.

Columns (a header row, Chinese or English names):
    resident_id / 身份证号, name / 姓名, lives_alone / 独居 (是/否), conditions / 健康状况,
    risk / 风险 (低/中/高), kit / 设备 (e.g. "wristband,smoke" or "手环,烟感")

Every row is checked before anything is written: the ID number (GB 11643), that the resident is
registered under that name and within the importer's scope, not enrolled already, not twice in the
file, and known device types. With `skip_bad=False` (the default) one bad row means nothing is
imported; with `skip_bad=True` the good rows are imported and the bad ones reported. Either way no
row is ever half-written: a row's enrolment and kit plan go in together.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from longcheng.kernel import tables
from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import require_perm, restrict
from longcheng.kernel.errors import KernelError
from longcheng.kernel.people.models import Resident
from longcheng.kernel.people.validators import validate_resident_id
from longcheng.kernel.tables import ImportReport, RowProblem

from .actions import do_enrol
from .devices import DEVICE_TYPES
from .models import Enrollee

HEADERS = {
    "resident_id": "resident_id", "身份证号": "resident_id", "身份证号码": "resident_id",
    "name": "name", "姓名": "name",
    "lives_alone": "lives_alone", "独居": "lives_alone",
    "conditions": "conditions", "健康状况": "conditions",
    "risk": "risk", "风险": "risk", "风险等级": "risk",
    "kit": "kit", "设备": "kit",
}
YES = {"是", "yes", "y", "true", "1", "独居"}
NO = {"否", "no", "n", "false", "0", ""}  # an empty cell: not recorded as living alone
# A problem names the column as the file spells it; these are the names for a column the file lacks.
DEFAULT_HEADERS = {"resident_id": "身份证号", "name": "姓名", "lives_alone": "独居", "conditions": "健康状况",
                   "risk": "风险", "kit": "设备"}
RISKS = {"低": "low", "中": "medium", "高": "high", "low": "low", "medium": "medium", "high": "high", "": "medium"}
KIT_NAMES = {"手环": "wristband", "智能手环": "wristband", "烟感": "smoke", "烟雾报警器": "smoke", "智能烟感": "smoke"}


def read_table(filename: str, content: bytes) -> tables.TableRows:
    """Rows keyed by our column names; the header may be in Chinese or English."""
    return tables.read_table(content, filename=filename, allow_csv=True, headers=HEADERS,
                             required=("resident_id", "name"), defaults=DEFAULT_HEADERS)


def import_survey(rows: list[dict[str, str]], *, acting_user: User, skip_bad: bool = False) -> ImportReport:
    require_perm(acting_user, "homesafety.manage")
    report = ImportReport(rows=len(rows))
    visible = restrict(Resident.objects.all(), acting_user, "homesafety.manage")
    good: list[tuple[Any, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    named = tables.column_names(rows, DEFAULT_HEADERS)
    for index, row in tables.numbered(rows):
        problems: list[RowProblem] = []
        try:
            number = validate_resident_id(row.get("resident_id", ""))
        except KernelError as error:
            report.problems.append(RowProblem(index, named["resident_id"], str(error.message)))
            continue
        if number in seen:
            problems.append(RowProblem(index, named["resident_id"], _("Also on line %(n)d.") % {"n": seen[number]}))
        seen.setdefault(number, index)
        person = visible.filter(resident_id=number).first()
        if person is None:
            problems.append(RowProblem(index, named["resident_id"],
                                       _("No resident with this ID number is registered in your area.")))
        elif person.name != row.get("name", "").strip():
            problems.append(RowProblem(index, named["name"], _("The name does not match the registered resident.")))
        elif Enrollee.objects.filter(person=person).exists():
            problems.append(RowProblem(index, named["resident_id"], _("Already enrolled.")))
        risk = RISKS.get(row.get("risk", "").strip().lower(), None)
        if risk is None:
            problems.append(RowProblem(index, named["risk"], _("Risk must be 低, 中 or 高 (low, medium, high).")))
        kit = []
        for part in row.get("kit", "").replace("，", ",").replace("、", ",").split(","):
            part = part.strip()
            if not part:
                continue
            code = KIT_NAMES.get(part, part.lower())
            if code not in DEVICE_TYPES:
                problems.append(RowProblem(index, named["kit"], _("Unknown device type: %(kind)s") % {"kind": part}))
            elif code not in kit:
                kit.append(code)
        alone = row.get("lives_alone", "").strip().lower()
        if alone not in YES | NO:
            problems.append(RowProblem(index, named["lives_alone"],
                                       _("%(column)s must be 是 or 否 (yes or no), not “%(value)s”.")
                                       % {"column": named["lives_alone"], "value": alone}))
        if problems:
            report.problems.extend(problems)
            continue
        good.append((person, {"lives_alone": alone in YES,
                              "conditions": row.get("conditions", "").strip()[:200], "risk": risk, "kit": kit}))
    if report.problems and not skip_bad:
        return report
    with transaction.atomic():  # all good rows or none: one refusal undoes the rows before it
        for person, data in good:
            do_enrol(person, acting_user=acting_user, lives_alone=data["lives_alone"], conditions=data["conditions"],
                     risk=data["risk"], kit=data["kit"], source="survey import")
        report.imported = len(good)
    return report
