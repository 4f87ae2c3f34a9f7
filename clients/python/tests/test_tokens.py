from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from fakes import JWKS_URL, Clock, FakeJwksServer
from keys import AUDIENCE, ISSUER, TestKey, jwks

from chatty_auth_client import AccessTokenVerifier, InvalidToken, JwksCache

KEY = TestKey("current")


def verifier(*keys: TestKey) -> AccessTokenVerifier:
    server = FakeJwksServer(jwks(*(keys or (KEY,))))
    return AccessTokenVerifier(
        JwksCache(JWKS_URL, server.client(), clock=Clock()), issuer=ISSUER, audience=AUDIENCE
    )


def test_a_genuine_token_gives_its_claims() -> None:
    claims = verifier().verify(KEY.sign())
    assert claims.username == "ada"
    assert claims.session_id == "0199b7e3-0f00-7a10-8b00-0000000000aa"
    assert claims.email_verified is True
    assert claims.is_admin is False
    assert claims.exp > time.time()


def hs256_with_public_key() -> str:
    # Algorithm confusion: the public key's bytes used as an HMAC secret.
    secret = KEY.jwk()["x"].encode()
    return jwt.encode({"sub": "x"}, secret, "HS256", {"kid": KEY.kid, "typ": "at+jwt"})


def unsigned() -> str:
    header = jwt.utils.base64url_encode(b'{"alg":"none","typ":"at+jwt","kid":"current"}')
    claims = jwt.utils.base64url_encode(b'{"sub":"x"}')
    return f"{header.decode()}.{claims.decode()}."


def expired() -> dict[str, Any]:
    now = int(time.time())
    return {"iat": now - 1000, "exp": now - 60}


FORGERIES: dict[str, Callable[[], str]] = {
    "hs256": lambda: hs256_with_public_key(),
    "none": lambda: unsigned(),
    "jwt-typ": lambda: KEY.sign(typ="JWT"),
    "no-typ": lambda: KEY.sign(typ=None),
    "other-issuer": lambda: KEY.sign({"iss": "https://evil.example"}),
    "other-audience": lambda: KEY.sign({"aud": "billing"}),
    "expired": lambda: KEY.sign(expired()),
    "not-yet-valid": lambda: KEY.sign({"nbf": int(time.time()) + 600}),
    "unknown-kid": lambda: KEY.sign(kid="elsewhere"),
    "other-key-same-kid": lambda: TestKey("current").sign(),
    "no-session": lambda: KEY.sign({"sid": None}),
    "admin-as-text": lambda: KEY.sign({"is_admin": "true"}),
    "garbage": lambda: "not.a.jwt",
}


@pytest.mark.parametrize("flaw", sorted(FORGERIES))
def test_tokens_with_one_flaw_are_refused(flaw: str) -> None:
    with pytest.raises(InvalidToken):
        verifier().verify(FORGERIES[flaw]())


def test_the_media_type_form_of_the_type_is_accepted() -> None:
    assert verifier().verify(KEY.sign(typ="application/at+jwt")).username == "ada"


def test_a_retired_key_still_in_the_set_verifies() -> None:
    retired = TestKey("retired")
    assert verifier(KEY, retired).verify(retired.sign()).sub == verifier().verify(KEY.sign()).sub
