"""Offline verification of the auth service's access tokens (EdDSA JWTs of type at+jwt)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import jwt

from .errors import InvalidToken
from .jwks import JwksCache

ALGORITHM = "EdDSA"
# RFC 9068 names the type `at+jwt`; its media-type form is accepted too.
TOKEN_TYPES = {"at+jwt", "application/at+jwt"}
# The service allows the same clock skew.
LEEWAY_SECONDS = 5

T = TypeVar("T")


@dataclass(frozen=True)
class AccessClaims:
    """Who the token speaks for, as the token says it when it was issued (at most
    `access_token_ttl_seconds` ago): a logout since then is not visible here."""

    sub: str
    session_id: str
    username: str
    email: str
    email_verified: bool
    is_admin: bool
    exp: int
    iat: int
    jti: str
    raw: Mapping[str, Any]


class AccessTokenVerifier:
    def __init__(
        self, jwks: JwksCache, *, issuer: str, audience: str, leeway: float = LEEWAY_SECONDS
    ) -> None:
        self.jwks = jwks
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway

    @classmethod
    def for_service(cls, base_url: str, *, issuer: str, audience: str) -> AccessTokenVerifier:
        return cls(JwksCache.for_service(base_url), issuer=issuer, audience=audience)

    def verify(self, token: str) -> AccessClaims:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise InvalidToken(f"malformed token: {error}") from error
        # Checked before any key is looked up, so that no other algorithm can be tried at all.
        if header.get("alg") != ALGORITHM:
            raise InvalidToken(f"algorithm {header.get('alg')!r} is not {ALGORITHM}")
        typ = header.get("typ")
        if not isinstance(typ, str) or typ.lower() not in TOKEN_TYPES:
            raise InvalidToken(f"type {typ!r} is not at+jwt")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise InvalidToken("no kid")
        key = self.jwks.key(kid)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                issuer=self.issuer,
                audience=self.audience,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "jti"]},
            )
        except jwt.PyJWTError as error:
            raise InvalidToken(str(error)) from error
        return _claims(claims)


def _claims(claims: dict[str, Any]) -> AccessClaims:
    try:
        return AccessClaims(
            sub=_typed(claims, "sub", str),
            session_id=_typed(claims, "sid", str),
            username=_typed(claims, "username", str),
            email=_typed(claims, "email", str),
            email_verified=_typed(claims, "email_verified", bool),
            is_admin=_typed(claims, "is_admin", bool),
            exp=_typed(claims, "exp", int),
            iat=_typed(claims, "iat", int),
            jti=_typed(claims, "jti", str),
            raw=claims,
        )
    except (KeyError, TypeError) as error:
        raise InvalidToken(f"claims: {error}") from error


def _typed(claims: dict[str, Any], name: str, kind: type[T]) -> T:
    value = claims[name]
    # bool is an int to Python, not to JSON.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"{name} is not {kind.__name__}")
    return value
