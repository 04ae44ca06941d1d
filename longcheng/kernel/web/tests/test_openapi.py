"""Issue 11 (14): the OpenAPI document names each schema once and documents every error answer
with the body it really has."""

from __future__ import annotations

import pytest
from django.test import Client
from ninja import Router, Schema

from longcheng.kernel.web.api import ERROR_RESPONSES, LongchengAPI, SchemaNameClash


@pytest.fixture
def document(db):
    return Client().get("/api/v1/openapi.json").json()


def test_module_schemas_keep_their_own_names(document):
    schemas = document["components"]["schemas"]
    assert {"FundOut", "YouthaidFundOut", "CaseDetail", "YouthaidCaseDetail", "CaseOut", "YouthaidCaseOut"} <= set(
        schemas)
    assert "available_fen" in schemas["FundOut"]["properties"]
    assert "paid_fen" in schemas["YouthaidFundOut"]["properties"]
    fund = document["paths"]["/api/v1/ledger/funds"]["get"]["responses"]["200"]["content"]["application/json"]
    assert fund["schema"]["items"]["$ref"] == "#/components/schemas/FundOut"


def test_every_operation_documents_its_errors_with_the_error_body(document):
    error = {"$ref": "#/components/schemas/Error"}
    assert set(document["components"]["schemas"]["Error"]["properties"]) == {"code", "message", "field"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status in ERROR_RESPONSES:
                schema = operation["responses"][str(status)]["content"]["application/json"]["schema"]
                assert schema == error or error in schema.get("anyOf", []), (method, path, status)


def test_a_module_error_body_is_documented_beside_the_plain_one(document):
    answer = document["paths"]["/api/v1/onestop/cases/{pk}/submit"]["post"]["responses"]["422"]
    schemas = answer["content"]["application/json"]["schema"]["anyOf"]
    assert {"$ref": "#/components/schemas/Error"} in schemas
    assert {"$ref": "#/components/schemas/PrecheckError"} in schemas


def test_two_schemas_under_one_name_are_an_error():
    def router_with(field: str) -> Router:
        Out = type("Out", (Schema,), {"__annotations__": {field: int}})
        router = Router()

        @router.get(f"/{field}", response=Out)
        def view(request):  # pragma: no cover - never called
            return {}

        return router

    api = LongchengAPI(urls_namespace="clash-test")
    api.add_router("/a", router_with("one"))
    api.add_router("/b", router_with("two"))
    with pytest.raises(SchemaNameClash):
        api.get_openapi_schema(path_prefix="/")
