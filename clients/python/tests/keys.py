"""Test keys and hand-made tokens for the unit tests (the integration tests use the service's)."""

from __future__ import annotations

import base64
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ISSUER = "https://auth.chatty.test"
AUDIENCE = "chatty"


class TestKey:
    __test__ = False  # not a test class, despite its name

    def __init__(self, kid: str) -> None:
        self.kid = kid
        self.private = Ed25519PrivateKey.generate()

    def jwk(self) -> dict[str, str]:
        raw = self.private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        x = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
        return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": self.kid, "alg": "EdDSA", "use": "sig"}

    def sign(
        self, claims: dict[str, Any] | None = None, *, typ: str | None = "at+jwt", kid: str | None = None
    ) -> str:
        # PyJWT adds `typ: JWT` unless told None, which leaves the header without a type.
        headers: dict[str, Any] = {"kid": kid or self.kid, "typ": typ}
        return jwt.encode(genuine_claims() | (claims or {}), self.private, "EdDSA", headers)


def genuine_claims() -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "0199b7e2-6a1b-7c11-8a00-1f2e3d4c5b6a",
        "jti": "0199b7e3-0f00-7a10-8b00-000000000001",
        "iat": now,
        "nbf": now,
        "exp": now + 900,
        "sid": "0199b7e3-0f00-7a10-8b00-0000000000aa",
        "username": "ada",
        "email": "ada@example.com",
        "email_verified": True,
        "is_admin": False,
    }


def jwks(*keys: TestKey) -> dict[str, Any]:
    return {"keys": [key.jwk() for key in keys]}
