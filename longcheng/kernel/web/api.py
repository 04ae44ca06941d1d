"""The JSON API under /api/v1 (django-ninja). OpenAPI document at /api/v1/openapi.json.

Auth: the browser session (with CSRF) or `Authorization: Bearer <token>`. Every error has one shape,
{code, message, field}, whether it comes from an action (KernelError), from request validation or
from authentication. Modules add their routers through the registry (ModuleSpec.api).
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import wraps
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import RequestDataTooBig
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Router, Schema, Status
from ninja.errors import AuthenticationError, ConfigError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.security import HttpBearer, SessionAuth

from longcheng.kernel import registry, sql
from longcheng.kernel.access import twofactor
from longcheng.kernel.access.actions import do_issue_token, do_revoke_token, tokens_of
from longcheng.kernel.access.api import router as _access_router
from longcheng.kernel.access.models import ApiToken, User, hash_token
from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.errors import ErrorCode, KernelError
from longcheng.kernel.rights.api import router as _rights_router
from longcheng.kernel.telemetry.api import router as _telemetry_router

from . import api_kernel, api_services  # the kernel's own routes

logger = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        # One hand-written statement (kernel.sql): every API request passes here, and the ORM's
        # select_related query cost ten times the statement itself.
        token_columns, user_columns = sql.columns(ApiToken, ["id", "last_used_at"], "t"), sql.all_columns(User, "u")
        rows = sql.fetch(
            f"SELECT {token_columns.sql}, {user_columns.sql} "
            f"FROM {sql.table(ApiToken)} t JOIN {sql.table(User)} u ON u.{sql.quote('id')} = t.{sql.quote('user_id')} "
            f"WHERE t.{sql.quote('key_hash')} = %s AND t.{sql.quote('revoked_at')} IS NULL "
            f"AND t.{sql.quote('expires_at')} > %s "
            f"AND u.{sql.quote('is_active')} = %s",
            [hash_token(token), sql.field(ApiToken, "expires_at").get_db_prep_save(timezone.now(), sql.db()), True])
        if not rows:
            return None
        token_pk, last_used = token_columns.values(rows[0][:2])
        user = user_columns.instance(rows[0][2:])
        now = timezone.now()
        # Record use at most once a minute: a busy gateway must not turn every read into a write.
        if last_used is None or now - last_used > dt.timedelta(minutes=1):
            ApiToken.objects.filter(pk=token_pk).update(last_used_at=now)
        request.user = user
        return user


def _docs_access(view: Any) -> Any:
    """The docs page (Swagger UI from ninja's own static files, no CDN) is public in development and
    for signed-in users only in production (API_DOCS_PUBLIC)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not settings.API_DOCS_PUBLIC and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


# Every refusal the API can make, documented on every operation with the one error body.
ERROR_RESPONSES = {
    400: "Refused: the request breaks a rule (the code names it, the field says where)",
    401: "Not signed in, or no valid API token",
    403: "The caller's role does not allow this",
    404: "No such record, or one outside the caller's places",
    409: "Conflicts with the current state (already decided, a key used for another posting, ...)",
    413: "The request body is over the size limit",
    422: "The request does not match the schema (the field names the part)",
}
ERROR_REF = "#/components/schemas/Error"


class SchemaNameClash(ConfigError):
    pass


class _OpenAPISchema(OpenAPISchema):
    """ninja's document, with two repairs: two different schemas under one name (a module's
    `FundOut` and the kernel's) are an error instead of one silently replacing the other, and every
    operation documents the error answers with the body they really have."""

    def add_schema_definitions(self, definitions: dict[str, Any]) -> None:
        for name, schema in definitions.items():
            if name in self.schemas and self.schemas[name] != schema:
                raise SchemaNameClash(f"two API schemas are named {name!r}; give the module's its own name")
        super().add_schema_definitions(definitions)

    def document_errors(self) -> None:
        self.schemas.setdefault("Error", Error.model_json_schema())
        for operations in self["paths"].values():
            for operation in operations.values():
                answers = operation.setdefault("responses", {})
                for status, description in ERROR_RESPONSES.items():
                    documented = answers.get(status)
                    if documented is None:
                        answers[status] = {"description": description,
                                           "content": {"application/json": {"schema": {"$ref": ERROR_REF}}}}
                        continue
                    # A module's own error body (onestop's pre-check blockers) or the plain one: both
                    # can answer this status (a malformed body is refused before the module sees it).
                    content = documented.setdefault("content", {}).setdefault("application/json", {})
                    schema = content.get("schema")
                    if schema is None:
                        content["schema"] = {"$ref": ERROR_REF}
                    elif schema != {"$ref": ERROR_REF}:
                        content["schema"] = {"anyOf": [{"$ref": ERROR_REF}, schema]}


class LongchengAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        document = _OpenAPISchema(self, path_prefix)
        document.document_errors()
        return document


api = LongchengAPI(
    title="longcheng",
    version="1",
    description="Longcheng (龙城) city services platform API. Errors: {code, message, field}.",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    docs_decorator=_docs_access,
)


class Error(Schema):
    code: str
    message: str
    field: str | None = None


def error_response(request: HttpRequest, status: int, code: str, message: str, field: str | None = None) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, "field": field}, status=status)


@api.exception_handler(KernelError)
def _kernel_error(request: HttpRequest, exc: KernelError) -> HttpResponse:
    return error_response(request, exc.status, str(exc.code), str(exc.message), exc.field)


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    loc = [str(p) for p in first.get("loc", []) if p not in ("body", "query", "path", "payload", "form")]
    field = ".".join(loc) or None
    message = first.get("msg", _("Invalid input."))
    return error_response(request, 422, ErrorCode.INVALID, f"{field}: {message}" if field else str(message), field)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, "unauthenticated", _("Sign in, or send a valid API token."))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(request, exc.status_code, "http_error", str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, ErrorCode.NOT_FOUND, _("Not found."))


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(request, 413, "too_large", _("The request body is larger than %(limit)d bytes.")
                          % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0})


@api.exception_handler(OverflowError)
def _overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    # A number beyond what a 64-bit column holds (an id of 20 digits, an amount) reached SQLite; the
    # schemas bound what they can, and this is the net under what they cannot (a raw statement's
    # parameter). PostgreSQL answers the same input through the DataError handler below.
    return error_response(request, 422, ErrorCode.INVALID, _("A number is beyond what can be stored."))


@api.exception_handler(DataError)
def _data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
    # The database refused a value the schema let through (a NUL character in a text on PostgreSQL,
    # a number beyond a column). Nothing was written (the action's transaction rolled back): it is
    # the caller's input, so a 422 in the error shape; logged so that the schema can be tightened.
    logger.warning("API input refused by the database: %s %s: %s", request.method, request.path, exc)
    return error_response(request, 422, ErrorCode.INVALID,
                          _("A value cannot be stored: it is too long, out of range or holds a NUL character."))


@csrf_exempt  # it changes nothing; a POST without a token still gets the JSON 404, not the CSRF page
def unknown_route(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any /api/ path no route answers: the JSON 404 of the API, not the HTML page of the site."""
    return error_response(request, 404, ErrorCode.NOT_FOUND, _("No such API route."))


class TokenIn(Schema):
    username: str
    password: str
    name: str = "api"
    days: int | None = None
    otp: str = ""  # the authenticator's code, for accounts whose roles need two-factor sign-in


class TokenOut(Schema):
    token: str
    id: int
    name: str
    expires_at: dt.datetime


class TokenInfo(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    active: bool


auth_router = Router(tags=["auth"])


@auth_router.post("/tokens", auth=None, response={201: TokenOut, 400: Error, 401: Error, 429: Error})
def issue_token(request: HttpRequest, payload: TokenIn) -> Any:
    """Exchange a username and password for an API token (shown once; only its hash is kept). The
    token expires after `days` (default API_TOKEN_DAYS). Wrong passwords count towards the sign-in
    lock-out (django-axes): once locked, the answer is 429 `locked_out`, even for the right password."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        # A locked-out attempt is answered 429 by AxesMiddleware (signin.lockout_response).
        return Status(401, {"code": "unauthenticated", "message": _("Wrong username or password."), "field": "password"})

    if getattr(user, "must_change_password", False):
        return Status(401, {"code": "password_change_required", "message": _("Set a new password first."),
                            "field": "password"})
    if twofactor.requires_two_factor(user):
        try:
            twofactor.verify(user, payload.otp)
        except KernelError as error:
            return Status(401, error.as_dict() | {"field": "otp"})
    token, raw = do_issue_token(user, name=payload.name or "api", days=payload.days, acting_user=user)
    return Status(201, {"token": raw, "id": token.pk, "name": token.name, "expires_at": token.expires_at})


def _token_info(token: ApiToken) -> dict[str, Any]:
    return {"id": token.pk, "name": token.name, "prefix": token.prefix, "created_at": token.created_at,
            "expires_at": token.expires_at, "last_used_at": token.last_used_at, "revoked_at": token.revoked_at,
            "active": token.is_active}


@auth_router.get("/tokens", response=list[TokenInfo])
def list_tokens(request: HttpRequest) -> Any:
    """One's own API tokens (never their values), newest first, revoked and expired ones included."""
    return [_token_info(t) for t in tokens_of(request.user)]


@auth_router.delete("/tokens/{token_id}", response={200: TokenInfo, 404: Error})
def revoke_token(request: StaffRequest, token_id: int) -> Any:
    """Revoke one of one's own tokens (a token revoking itself is allowed). Another account's token is 404."""
    return _token_info(do_revoke_token(token_id, acting_user=request.user))


api.add_router("/auth", auth_router)

for _path, _router in [*api_kernel.ROUTERS, *api_services.ROUTERS]:
    api.add_router(_path, _router)

api.add_router("/access", _access_router)
api.add_router("/telemetry", _telemetry_router)
api.add_router("/rights", _rights_router)


def mount_module_routers() -> None:
    for spec in registry.modules():
        if spec.api is None:
            continue
        router = spec.api
        if isinstance(router, str):
            module_path, _sep, attr = router.rpartition(".")
            router = getattr(import_module(module_path), attr)
        api.add_router(f"/{spec.code}", router)


mount_module_routers()
