"""Issue 11 (14): schemathesis over every operation of /api/v1/openapi.json, in process (WSGI), as an
admin and as a narrow role, with schema-conforming and schema-breaking requests: no answer is a
server error, and every answer has a documented status, content type and body.

Bounded: EXAMPLES requests per operation, mode and caller (env SCHEMATHESIS_EXAMPLES to change), so
the whole run stays within a few minutes on two cores. Failures of all operations are collected
and reported together.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from longcheng.kernel.access.models import ApiToken
from longcheng.kernel.ledger import actions as ledger
from longcheng.kernel.people.models import Resident
from longcheng.kernel.web.api import api

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "10"))


@pytest.fixture
def wsgi_app() -> Any:
    """Django's WSGI application, inside the test's transaction: the handler must not close the
    connection between requests (Django's own test client disconnects the same signal)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def callers(city: dict[str, Any], make_user: Any, rid: Any) -> dict[str, dict[str, str]]:
    admin = make_user("st_admin", {"city_admin": [city["root"]]}, is_superuser=True, is_staff=True)
    narrow = make_user("st_worker", {"community_worker": [city["a"]]})
    # A little data, so that reads and writes have something to find.
    for seq in range(1, 4):
        Resident.objects.create(resident_id=rid("320412", "19500101", seq), name=f"居民{seq}", gender="F",
                                birth_date="1950-01-01", place=city["a"])
    fund = ledger.do_create_fund(code="st", name="测试基金", place=city["root"], acting_user=None)
    ledger.do_donate(fund, 1_000_000, donor_name="甲", acting_user=None)
    out = {}
    for name, user in (("admin", admin), ("narrow", narrow)):
        _token, raw = ApiToken.issue(user, "schemathesis")
        out[name] = {"Authorization": f"Bearer {raw}"}
    return out


def _checks() -> list[Any]:
    return [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def quiet_request_log() -> Any:
    """Thousands of refused requests would each log a warning line."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


def _fuzz(operation: Any, mode: Any, callers: dict[str, dict[str, str]], checks: list[Any]) -> list[str]:
    """EXAMPLES cases of one operation in one mode, each sent by every caller; returns the distinct
    failures (the first lines of each report)."""
    found: dict[str, str] = {}

    @hypothesis_settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        for caller, headers in callers.items():
            response = case.call(headers=headers)
            try:
                case.validate_response(response, checks=checks, headers=headers)
            except (Exception, BaseExceptionGroup) as exc:  # collected: one report for all operations
                lines = str(exc).strip().splitlines()[:14]
                key = f"{operation.label} [{mode.value}, {caller}] {lines[0] if lines else repr(exc)}"
                found.setdefault(key, key + "\n    " + "\n    ".join(lines[1:]))

    try:
        run()
    except Unsatisfiable:
        pass  # nothing can break this operation's schema (no parameters): nothing to send
    return list(found.values())


# The operations are dealt into shards so that parallel test workers share the work.
SHARDS = 4


@pytest.mark.django_db
@pytest.mark.parametrize("shard", range(SHARDS))
def test_the_api_answers_every_operation_as_documented(callers, wsgi_app, quiet_request_log, settings, shard):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]  # the WSGI transport's host
    document = dict(api.get_openapi_schema())
    schema = schemathesis.openapi.from_dict(document)
    schema.app = wsgi_app
    checks = _checks()
    failures: list[str] = []
    started = time.monotonic()
    operations = 0
    only = os.environ.get("SCHEMATHESIS_ONLY", "")
    for index, result in enumerate(schema.get_all_operations()):
        operation = result.ok()  # type: ignore[union-attr]  # an invalid operation fails loudly here
        if index % SHARDS != shard or (only and only not in operation.label):
            continue
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failures += _fuzz(operation, mode, callers, checks)
    took = time.monotonic() - started
    print(f"\nschemathesis: {operations} operations, {EXAMPLES} examples per mode and caller, {took:.1f} s")
    assert operations >= 50 // SHARDS or only
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)
