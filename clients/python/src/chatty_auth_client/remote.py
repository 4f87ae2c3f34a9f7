"""Asking the auth service's /verify: slower than offline verification, but it sees logouts,
password changes and reuse detection at once. For revocation-sensitive routes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from .errors import AuthServiceUnavailable, InvalidToken


@dataclass(frozen=True)
class ActiveSession:
    """The token holder as the auth service sees them now."""

    sub: str
    session_id: str
    username: str
    email: str
    email_verified: bool
    is_admin: bool
    exp: int
    iat: int


class RemoteVerifier:
    def __init__(self, base_url: str, client: httpx.Client | None = None) -> None:
        self.url = base_url.rstrip("/") + "/verify"
        # Short: a route waiting on the auth service should fail fast rather than pile up.
        self._client = client or httpx.Client(timeout=3.0)

    def verify(self, token: str) -> ActiveSession:
        try:
            response = self._client.get(self.url, headers={"authorization": f"Bearer {token}"})
        except httpx.HTTPError as error:
            raise AuthServiceUnavailable(f"cannot reach {self.url}: {error}") from error
        if response.status_code == 401:
            raise InvalidToken(_problem_code(response))
        if response.status_code != 200:
            raise AuthServiceUnavailable(f"{self.url} answered {response.status_code}")
        try:
            body = response.json()
            if body.get("active") is not True:
                raise InvalidToken("the session is not active")
            return ActiveSession(
                sub=str(body["sub"]),
                session_id=str(body["session_id"]),
                username=str(body["username"]),
                email=str(body["email"]),
                email_verified=bool(body["email_verified"]),
                is_admin=bool(body["is_admin"]),
                exp=int(body["exp"]),
                iat=int(body["iat"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise AuthServiceUnavailable(f"{self.url} answered an unexpected body") from error


def _problem_code(response: httpx.Response) -> str:
    try:
        body: Any = response.json()
        return str(body.get("code", "invalid_token"))
    except (ValueError, AttributeError):
        return "invalid_token"
