"""A tiny OpenID Connect provider for the tests, started on a free local port: discovery, JWKS, an
authorization endpoint that signs the person in at once, and a token endpoint that checks the
client's secret, the code, the redirect URI and PKCE, and signs an RS256 id_token. Nothing is
downloaded: the key is made here."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import josepy
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "longcheng-test"
CLIENT_SECRET = "stub-secret-not-for-production"
KID = "stub-key-1"


class StubProvider:
    def __init__(self) -> None:
        self.key = josepy.JWKRSA(key=rsa.generate_private_key(public_exponent=65537, key_size=2048))
        # What the next sign-in asserts about the person; a test sets `sub`, `amr`, or breaks `aud`.
        self.claims: dict[str, Any] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.token_requests: list[dict[str, str]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def settings(self) -> dict[str, Any]:
        return {"OIDC_ENABLED": True, "OIDC_OP_ISSUER": self.issuer,
                "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.issuer}/authorize",
                "OIDC_OP_TOKEN_ENDPOINT": f"{self.issuer}/token", "OIDC_OP_JWKS_ENDPOINT": f"{self.issuer}/jwks",
                "OIDC_OP_USER_ENDPOINT": "", "OIDC_RP_CLIENT_ID": CLIENT_ID, "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET}

    def __enter__(self) -> StubProvider:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def id_token(self, code: dict[str, Any]) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300, "nonce": code["nonce"],
                  **self.claims}
        jws = josepy.JWS.sign(json.dumps(claims).encode(), key=self.key, alg=josepy.RS256, kid=KID,
                              protect=frozenset(["alg", "kid"]))
        return str(jws.to_compact().decode())

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _json(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    self._json(200, {"issuer": provider.issuer, "authorization_endpoint": f"{provider.issuer}/authorize",
                                     "token_endpoint": f"{provider.issuer}/token", "jwks_uri": f"{provider.issuer}/jwks",
                                     "id_token_signing_alg_values_supported": ["RS256"]})
                elif url.path == "/jwks":
                    public = provider.key.public_key().to_json()
                    self._json(200, {"keys": [{**public, "kid": KID, "alg": "RS256", "use": "sig"}]})
                elif url.path == "/authorize":
                    self._authorize(query)
                else:
                    self._json(404, {"error": "not_found"})

            def _authorize(self, query: dict[str, str]) -> None:
                if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
                    self._json(400, {"error": "invalid_request"})
                    return
                code = secrets.token_urlsafe(16)
                provider.codes[code] = {"nonce": query.get("nonce"), "redirect_uri": query["redirect_uri"],
                                        "challenge": query.get("code_challenge")}
                self.send_response(302)
                self.send_header("Location", f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}")
                self.end_headers()

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                provider.token_requests.append(form)
                code = provider.codes.pop(form.get("code", ""), None)
                verifier = form.get("code_verifier", "")
                challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
                if (urlparse(self.path).path != "/token" or code is None
                        or (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET)
                        or form.get("redirect_uri") != code["redirect_uri"] or challenge != code["challenge"]):
                    self._json(400, {"error": "invalid_grant"})
                    return
                self._json(200, {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300,
                                 "id_token": provider.id_token(code)})

        return Handler
