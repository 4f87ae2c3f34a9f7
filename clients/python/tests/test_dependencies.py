from typing import Annotated, Any

import httpx
import pytest
from fakes import JWKS_URL, Clock, FakeJwksServer
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from keys import AUDIENCE, ISSUER, TestKey, jwks

from chatty_auth_client import (
    AccessClaims,
    AccessTokenVerifier,
    ActiveSession,
    JwksCache,
    RemoteVerifier,
    access_claims,
    active_session,
)

KEY = TestKey("current")


def app(jwks_server: FakeJwksServer, verify_handler: Any = None) -> TestClient:
    verifier = AccessTokenVerifier(
        JwksCache(JWKS_URL, jwks_server.client(), clock=Clock()), issuer=ISSUER, audience=AUDIENCE
    )
    remote = RemoteVerifier(
        "https://auth.chatty.test", httpx.Client(transport=httpx.MockTransport(verify_handler))
    )
    api = FastAPI()

    @api.get("/posts")
    def posts(claims: Annotated[AccessClaims, Depends(access_claims(verifier))]) -> dict[str, str]:
        return {"author": claims.username}

    @api.delete("/account")
    def close(session: Annotated[ActiveSession, Depends(active_session(remote))]) -> dict[str, str]:
        return {"closing": session.session_id}

    return TestClient(api)


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def test_a_route_gets_the_claims_of_a_genuine_token() -> None:
    response = app(FakeJwksServer(jwks(KEY))).get("/posts", headers=bearer(KEY.sign()))
    assert response.status_code == 200
    assert response.json() == {"author": "ada"}


@pytest.mark.parametrize(
    ("headers", "challenge"),
    [
        ({}, 'Bearer realm="chatty"'),
        ({"authorization": "Basic YTpi"}, 'Bearer realm="chatty"'),
        (bearer("not.a.jwt"), 'Bearer realm="chatty", error="invalid_token"'),
        (bearer(TestKey("current").sign()), 'Bearer realm="chatty", error="invalid_token"'),
    ],
    ids=["missing", "basic", "garbage", "forged"],
)
def test_without_a_valid_token_the_route_answers_401_with_a_challenge(
    headers: dict[str, str], challenge: str
) -> None:
    response = app(FakeJwksServer(jwks(KEY))).get("/posts", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == challenge


def test_an_unreachable_key_set_is_503_not_401() -> None:
    server = FakeJwksServer(jwks(KEY))
    server.down = True
    response = app(server).get("/posts", headers=bearer(KEY.sign()))
    assert response.status_code == 503


def verify_answer(status: int, body: dict[str, Any]) -> Any:
    def handle(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/verify"
        assert request.headers["authorization"] == "Bearer token"
        return httpx.Response(status, json=body)

    return handle


ACTIVE = {
    "active": True,
    "sub": "u1",
    "username": "ada",
    "email": "ada@example.com",
    "email_verified": False,
    "is_admin": False,
    "session_id": "s1",
    "exp": 2,
    "iat": 1,
}


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (200, ACTIVE, 200),
        (401, {"code": "invalid_token"}, 401),
        (200, ACTIVE | {"active": False}, 401),
        (500, {}, 503),
        (200, {"active": True}, 503),
    ],
    ids=["active", "revoked", "inactive", "auth-down", "odd-body"],
)
def test_the_revocation_sensitive_route_follows_verify(
    status: int, body: dict[str, Any], expected: int
) -> None:
    client = app(FakeJwksServer(jwks(KEY)), verify_answer(status, body))
    response = client.delete("/account", headers=bearer("token"))
    assert response.status_code == expected
    if expected == 200:
        assert response.json() == {"closing": "s1"}


def test_an_unreachable_verify_is_503() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    response = app(FakeJwksServer(jwks(KEY)), refuse).delete("/account", headers=bearer("token"))
    assert response.status_code == 503
