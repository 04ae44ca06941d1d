"""A small Liyang world for the youth aid fund: 王小溧 (16, 溧城街道), whose father 王建国 died in
2025 and whose mother 李秀兰 (his guardian) has not remarried; his brother 王小川 (12, under 14);
the people who report, follow, review and pay; and helpers that take a case to "active" and put
money in the fund, each through the actions (nothing written behind their back)."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

BANK_ACCOUNT = "6222020200112233445"
FUND_YUAN = 500_000  # what the `funded` fixture donates


def seed_aid_types() -> None:
    """The aid types of migration 0002, again: a PostgreSQL test with real threads flushes the
    database (transactional_db), seeded rows included, so fixtures re-create them idempotently."""
    from ..models import AidType

    seed = importlib.import_module("longcheng.modules.youthaid.migrations.0002_aid_types")
    for row in seed.AID_TYPES:
        AidType.objects.get_or_create(code=row["code"], defaults=row)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    """Uploaded proofs go to a directory of each test, not the shared var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def aid_types(db: Any) -> dict[str, Any]:
    from ..models import AidType

    seed_aid_types()
    return {a.code: a for a in AidType.objects.all()}


@pytest.fixture(autouse=True)
def _fund_open(city: dict[str, Any]) -> Any:
    """The fund is opened once per installation (the demo, the command line), at 溧阳; every test of
    the module finds it open, as a running city does."""
    from longcheng.kernel.places.models import Place

    from .. import actions

    return actions.do_open_fund(acting_user=None, place=Place.objects.filter(code="320481").first())


@pytest.fixture
def liyang(city: dict[str, Any], make_user: Callable[..., Any], rid: Callable[..., str],
           aid_types: dict[str, Any], settings: Any) -> dict[str, Any]:
    from longcheng.kernel.people.models import Relationship, Resident

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # seven users per test

    town = city["liyang_town"]
    person = Resident.objects.create(resident_id=rid("320481", "20100501", 31), name="王小溧", gender="M",
                                     birth_date=dt.date(2010, 5, 1), place=town)
    father = Resident.objects.create(resident_id=rid("320481", "19800312", 11), name="王建国", gender="M",
                                     birth_date=dt.date(1980, 3, 12), place=town, died_on=dt.date(2025, 3, 10))
    mother = Resident.objects.create(resident_id=rid("320481", "19830708", 22), name="李秀兰", gender="F",
                                     birth_date=dt.date(1983, 7, 8), place=town)
    sibling = Resident.objects.create(resident_id=rid("320481", "20140301", 51), name="王小川", gender="M",
                                      birth_date=dt.date(2014, 3, 1), place=town)
    for child in (person, sibling):
        Relationship.objects.create(person=child, relative=father, kind="father")
        Relationship.objects.create(person=child, relative=mother, kind="mother", is_guardian=True)
        Relationship.objects.create(person=father, relative=child, kind="child")
        Relationship.objects.create(person=mother, relative=child, kind="child")
    Relationship.objects.create(person=mother, relative=father, kind="spouse")
    area = city["liyang"]
    from longcheng.kernel.places.models import Place

    from .. import actions

    # The fund is opened once per installation (the demo, the command line); every case test has it.
    actions.do_open_fund(acting_user=None, place=Place.objects.filter(code="320481").first())
    return {
        "city": city, "town": town, "person": person, "father": father, "mother": mother, "sibling": sibling,
        "aid_types": aid_types,
        "reporter": make_user("teacher", {"youthaid_reporter": [area]}),
        "reporter2": make_user("village_cadre", {"youthaid_reporter": [area]}),
        "caseworker": make_user("caseworker", {"youthaid_caseworker": [area]}),
        "reviewer": make_user("reviewer", {"youthaid_reviewer": [area]}),
        "observer": make_user("observer", {"youthaid_observer": [area]}),
        "outsider": make_user("caseworker_a", {"youthaid_caseworker": [city["a"]]}),
        "registrar": make_user("registrar", {"community_worker": [area]}),
    }


@pytest.fixture
def proof(settings: Any, tmp_path: Any) -> Callable[..., SimpleUploadedFile]:
    """A small PDF-like upload (an admission letter, a hospital bill), stored under a temporary
    MEDIA_ROOT."""
    settings.MEDIA_ROOT = str(tmp_path / "media")

    def make(name: str = "bill.pdf", size: int = 64) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, b"%PDF-1.4 " + b"x" * size, content_type="application/pdf")

    return make


@pytest.fixture
def prepare(liyang: dict[str, Any]) -> Callable[..., Any]:
    """Take a resident from a report to a profiled case, through the actions: a report, the registry
    consent (the youth's own from 14, the mother's below), the separate sensitive consent and the
    profile (keyword arguments override the defaults). Not yet screened. Returns the case."""
    from .. import actions

    def run(person: Any = None, *, reporter: Any = None, consent_by: Any = None, **profile: Any) -> Any:
        person = person or liyang["person"]
        cw = liyang["caseworker"]
        report = actions.do_report(resident_id=person.resident_id, name=person.name, channel="school",
                                   note="父亲去世后家里困难", acting_user=reporter or liyang["reporter"])
        youth = report.youth
        if consent_by is None:
            consent_by = liyang["mother"] if actions.is_under_14(youth) else person
        actions.do_record_consent(youth, given_by=consent_by, sensitive=False, acting_user=cw)
        actions.do_record_consent(youth, given_by=consent_by, sensitive=True, acting_user=cw)
        values: dict[str, Any] = {
            "deceased_parent": liyang["father"], "surviving_parent": liyang["mother"],
            "surviving_parent_status": "not_remarried", "guardian": liyang["mother"], "hardship_grade": 2,
            "stage": "senior", "household_size": 3, "bank_name": "农业银行", "bank_account": BANK_ACCOUNT,
        }
        values.update(profile)
        actions.do_update_profile(youth, acting_user=cw, reason="入户核实", **values)
        youth.refresh_from_db()
        return youth

    return run


@pytest.fixture
def activate(liyang: dict[str, Any], prepare: Callable[..., Any]) -> Callable[..., Any]:
    """prepare(), then screen: the case must come out eligible and active. Returns the case."""
    from .. import actions

    def run(person: Any = None, **kwargs: Any) -> Any:
        from ..models import CaseStatus

        youth = prepare(person, **kwargs)
        screening = actions.do_screen(youth, acting_user=liyang["caseworker"])
        assert screening.outcome == "eligible", screening.reasons
        youth.refresh_from_db()
        assert youth.status == CaseStatus.ACTIVE
        return youth

    return run


@pytest.fixture
def counts() -> Callable[[], dict[str, int]]:
    """Row counts of every table an action of the fund may write: a refusal leaves them all as
    they were."""

    def read() -> dict[str, int]:
        from longcheng.kernel.audit.models import AuditEntry
        from longcheng.kernel.ledger.models import JournalEntry, Posting
        from longcheng.kernel.people.models import Consent, Resident

        from .. import models as m

        tables: dict[str, Any] = {"Resident": Resident, "Consent": Consent, "AuditEntry": AuditEntry,
                                  "JournalEntry": JournalEntry, "Posting": Posting}
        for name in ("Youth", "Report", "Screening", "Visit", "LifeEvent", "Application", "Attachment",
                     "PaymentBatch", "Payment", "Volunteer", "Pairing", "Contact", "RoomProject"):
            tables[name] = getattr(m, name)
        return {name: table.objects.count() for name, table in tables.items()}

    return read


@pytest.fixture
def active_case(activate: Callable[..., Any]) -> Any:
    """王小溧's case, active (hardship grade 2, senior high school, a bank account on file, a
    serious illness recorded so that medical re-aid applies)."""
    return activate(serious_illness=True, health_note="哮喘，需长期用药")


@pytest.fixture
def funded(liyang: dict[str, Any]) -> Any:
    """The youth aid fund holding FUND_YUAN, donated through the action by the reviewer."""
    from .. import actions

    actions.do_donate(FUND_YUAN * 100, donor="溧阳市慈善总会", acting_user=liyang["reviewer"])
    return actions.youth_fund()


@pytest.fixture
def balances() -> Callable[[Any], dict[str, int]]:
    """{"fund": available, "commitment": committed} of a fund, read from the database."""

    def read(fund: Any) -> dict[str, int]:
        from longcheng.kernel.ledger.models import Account

        return dict(Account.objects.filter(fund=fund, kind__in=["fund", "commitment"]).values_list(
            "kind", "balance_fen"))

    return read


@pytest.fixture
def grant(liyang: dict[str, Any], proof: Callable[..., Any]) -> Callable[..., Any]:
    """Apply (with proof), recommend and approve an application; returns it, approved."""
    from .. import actions

    def run(youth: Any, aid_type: str, amount_fen: int, *, year: int | None = None) -> Any:
        app = actions.do_apply(youth, aid_type=aid_type, amount_fen=amount_fen, reason="医药费用难以承担",
                               acting_user=liyang["caseworker"], year=year, attachments=[proof()])
        actions.do_recommend(app, recommend=True, note="情况属实，建议资助", acting_user=liyang["caseworker"])
        return actions.do_decide(app, approve=True, reason="", acting_user=liyang["reviewer"])

    return run
