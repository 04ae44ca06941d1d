"""A small world for the remediation campaigns: three firms (two in 遥观镇's communities, one in 溧城街道),
a site each; a patrol of 遥观镇 and one of 溧城街道, Wujin's bureau, the city's campaign office, and the
staff member of the first firm. Uploaded evidence goes to a temporary MEDIA_ROOT."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from longcheng.modules.remediation import actions

JPEG = b"\xff\xd8\xff\xe0" + bytes(200)


def make_uscc(body: str) -> str:
    from stdnum.cn import uscc

    return body + uscc.calc_check_digit(body)


def photo(name: str = "site.jpg") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, JPEG, content_type="image/jpeg")


FIVE_HIGH = {"danger": 2, "pollution": 3, "disorder": 1, "scattered": 2, "low": 0}
REASONS = {"danger": "无消防通道", "pollution": "酸洗废水直排", "disorder": "违章搭建", "scattered": "园区外"}


@pytest.fixture
def world(city: dict[str, Any], make_user: Callable[..., Any], settings: Any, tmp_path: Any) -> dict[str, Any]:
    from longcheng.kernel.orgs.models import Organisation
    from longcheng.modules.remediation.models import Site

    settings.MEDIA_ROOT = str(tmp_path)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    firms = [Organisation.objects.create(kind="enterprise", name=name, uscc=make_uscc(body), place=place)
             for name, body, place in (("常州遥观电镀厂", "91320412MA1R0A1B2", city["a"]),
                                       ("常州剑湖喷涂厂", "91320412MA1R0C3D4", city["b"]),
                                       ("溧阳溧城铸造厂", "91320481MA1R0E5F6", city["liyang_town"]))]
    sites = [Site.objects.create(firm=firm, place=place, address=f"工业路{n}号", parcel=f"P{n}",
                                 area_mu=Decimal("12.50"), in_park=False) for n, (firm, place) in enumerate(zip(firms, (city["a"], city["b"], city["liyang_town"]), strict=True), 1)]
    return {
        "firms": firms, "sites": sites,
        "patrol": make_user("patrol", {"remediation_inspector": [city["yaoguan"]]}),
        "patrol_liyang": make_user("patrol_liyang", {"remediation_inspector": [city["liyang_town"]]}),
        "bureau": make_user("bureau", {"remediation_bureau": [city["wujin"]]}),
        "office": make_user("office", {"remediation_office": [city["root"]]}),
        "office2": make_user("office2", {"remediation_office": [city["root"]], "remediation_bureau": [city["root"]]}),
        "firm_user": make_user("firm_user", {"remediation_firm": [city["wujin"]]}, organisation=firms[0]),
    }


def inspect(world: dict[str, Any], n: int = 0, campaign: str = "wuluan", scores: dict[str, int] | None = None) -> Any:
    return actions.do_record_inspection(site=world["sites"][n], campaign_code=campaign, checklist={"safety": True},
                                        scores=scores or FIVE_HIGH, reasons=REASONS, acting_user=world["patrol"])


def to_accepted(world: dict[str, Any], n: int = 0, remedy: str = "close", mu: str = "10",
                cut: tuple[int, int] = (5000, 1000)) -> Any:
    """A 危污乱散低 case of site n inspected, determined, planned, its evidence uploaded and accepted."""
    case = inspect(world, n).case
    actions.do_determine_case(case.pk, target=True, acting_user=world["bureau"])
    actions.do_set_plan(case.pk, remedy=remedy, lead_agency="ecology", responsible="张主任", area_mu=Decimal(mu),
                        pollutants={"cod": cut}, acting_user=world["bureau"],
                        milestones=[actions.MilestoneIn("两断三清", working_days=10)])
    kinds = {"close": ("utility_cutoff", "site_photo"), "relocate": ("park_record",), "upgrade": ("permit",)}[remedy]
    for kind in kinds:
        actions.do_add_evidence(case.pk, kind=kind, upload=photo(), acting_user=world["bureau"])
    return actions.do_accept_case(case.pk, acting_user=world["bureau"])
