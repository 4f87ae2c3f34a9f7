"""Against the real auth service, started by the Rust suite (tests/api/python_client.rs), which
passes its addresses in the environment:

- AUTH_BASE_URL: the service, signing with key A;
- AUTH_ROTATED_BASE_URL: a replica on the same database after a rotation: signing with key B,
  key A listed in jwt_previous_public_keys;
- AUTH_ISSUER, AUTH_AUDIENCE: what both are configured with.
"""

import os
import uuid
from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from chatty_auth_client import (
    AccessClaims,
    AccessTokenVerifier,
    ActiveSession,
    InvalidToken,
    JwksCache,
    RemoteVerifier,
    access_claims,
    active_session,
)

if "AUTH_BASE_URL" not in os.environ:
    pytest.skip("AUTH_BASE_URL is not set: run through `cargo test`", allow_module_level=True)

BASE = os.environ["AUTH_BASE_URL"]
ROTATED = os.environ["AUTH_ROTATED_BASE_URL"]
ISSUER = os.environ["AUTH_ISSUER"]
AUDIENCE = os.environ["AUTH_AUDIENCE"]


def login(base: str) -> dict[str, str]:
    """A new user, signed in on `base`: the login response (access and refresh token)."""
    name = "py" + uuid.uuid4().hex[:12]
    account = {"email": f"{name}@example.com", "username": name, "password": "correct horse battery staple"}
    with httpx.Client(base_url=base) as client:
        assert client.post("/register", json=account).status_code == 201
        response = client.post("/login", json={"email": account["email"], "password": account["password"]})
        assert response.status_code == 200, response.text
        tokens: dict[str, str] = response.json()
        tokens["username"] = name
        return tokens


def service_app(jwks: JwksCache) -> TestClient:
    """A consumer service as the platform writes them: one offline route, one that asks."""
    verifier = AccessTokenVerifier(jwks, issuer=ISSUER, audience=AUDIENCE)
    remote = RemoteVerifier(BASE)
    api = FastAPI()

    @api.get("/feed")
    def feed(claims: Annotated[AccessClaims, Depends(access_claims(verifier))]) -> dict[str, str]:
        return {"user": claims.username, "session": claims.session_id}

    @api.post("/password")
    def change(session: Annotated[ActiveSession, Depends(active_session(remote))]) -> dict[str, str]:
        return {"user": session.username, "session": session.session_id}

    return TestClient(api)


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def test_a_token_of_the_service_verifies_offline_with_the_same_claims_as_verify() -> None:
    tokens = login(BASE)
    claims = AccessTokenVerifier.for_service(BASE, issuer=ISSUER, audience=AUDIENCE).verify(
        tokens["access_token"]
    )
    asked = RemoteVerifier(BASE).verify(tokens["access_token"])
    assert claims.username == asked.username == tokens["username"]
    assert (claims.sub, claims.session_id, claims.exp) == (asked.sub, asked.session_id, asked.exp)


def test_a_consumer_route_accepts_the_service_token_and_refuses_a_tampered_one() -> None:
    tokens = login(BASE)
    app = service_app(JwksCache.for_service(BASE))
    response = app.get("/feed", headers=bearer(tokens["access_token"]))
    assert response.status_code == 200
    assert response.json()["user"] == tokens["username"]
    header, payload, signature = tokens["access_token"].split(".")
    tampered = f"{header}.{payload}.{signature[:-4]}AAAA"
    assert app.get("/feed", headers=bearer(tampered)).status_code == 401


def test_the_wrong_audience_is_refused_for_a_genuine_token() -> None:
    tokens = login(BASE)
    billing = AccessTokenVerifier.for_service(BASE, issuer=ISSUER, audience="billing")
    with pytest.raises(InvalidToken, match="(?i)audience"):
        billing.verify(tokens["access_token"])


def test_after_a_key_rotation_tokens_of_both_keys_verify() -> None:
    before = login(BASE)
    # No refetch interval: the test need not wait for one (its own unit test covers it).
    jwks = JwksCache(JwksCache.for_service(BASE).url, min_refetch_interval=0.0)
    verifier = AccessTokenVerifier(jwks, issuer=ISSUER, audience=AUDIENCE)
    assert verifier.verify(before["access_token"]).username == before["username"]
    # The deployment rotates: the service's address now reaches replicas signing with the new key.
    jwks.url = JwksCache.for_service(ROTATED).url
    after = login(ROTATED)
    # The cached set is fresh (max-age) but lacks the new kid: verifying it refetches the set.
    assert verifier.verify(after["access_token"]).username == after["username"]
    # The retired key is still published, through jwt_previous_public_keys.
    assert verifier.verify(before["access_token"]).username == before["username"]


def test_a_revoked_session_is_refused_by_verify_while_offline_checks_still_pass() -> None:
    tokens = login(BASE)
    app = service_app(JwksCache.for_service(BASE))
    headers = bearer(tokens["access_token"])
    assert app.post("/password", headers=headers).status_code == 200
    with httpx.Client(base_url=BASE) as client:
        logout = client.post("/logout", json={"refresh_token": tokens["refresh_token"]})
        assert logout.status_code == 204
    refused = app.post("/password", headers=headers)
    assert refused.status_code == 401
    assert 'error="invalid_token"' in refused.headers["www-authenticate"]
    # Offline verification cannot see a logout: the token works until it expires. Routes for
    # which that matters use active_session.
    assert app.get("/feed", headers=headers).status_code == 200
