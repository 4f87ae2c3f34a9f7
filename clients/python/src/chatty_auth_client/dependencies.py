"""FastAPI dependencies: a route declares which check it needs.

    verifier = AccessTokenVerifier.for_service(AUTH_URL, issuer=ISSUER, audience="chatty")
    remote = RemoteVerifier(AUTH_URL)

    @app.get("/posts")
    def posts(claims: Annotated[AccessClaims, Depends(access_claims(verifier))]): ...

    @app.delete("/account")
    def close(session: Annotated[ActiveSession, Depends(active_session(remote))]): ...
"""

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .errors import AuthServiceUnavailable, InvalidToken
from .remote import ActiveSession, RemoteVerifier
from .tokens import AccessClaims, AccessTokenVerifier

# auto_error=False: a missing or non-Bearer header gets the same 401 as a bad token, with the
# RFC 6750 challenge, rather than FastAPI's 403.
_bearer = HTTPBearer(auto_error=False, description="An access token of the auth service.")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _unauthorized(error: str | None) -> HTTPException:
    challenge = 'Bearer realm="chatty"'
    if error:
        challenge += f', error="{error}"'
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        detail="a valid access token is required",
        headers={"WWW-Authenticate": challenge},
    )


def _unavailable() -> HTTPException:
    return HTTPException(
        status.HTTP_503_SERVICE_UNAVAILABLE,
        detail="the auth service cannot be reached",
        headers={"Retry-After": "5"},
    )


def access_claims(verifier: AccessTokenVerifier) -> Callable[..., AccessClaims]:
    """Verifies the Bearer token offline (signature, EdDSA, at+jwt, issuer, audience, expiry)."""

    # A sync dependency: FastAPI runs it on its thread pool, so a JWKS fetch never blocks the loop.
    def dependency(credentials: Credentials) -> AccessClaims:
        if credentials is None:
            raise _unauthorized(None)
        try:
            return verifier.verify(credentials.credentials)
        except InvalidToken as error:
            raise _unauthorized("invalid_token") from error
        except AuthServiceUnavailable as error:
            raise _unavailable() from error

    return dependency


def active_session(remote: RemoteVerifier) -> Callable[..., ActiveSession]:
    """Asks the auth service's /verify, which also refuses tokens of ended sessions."""

    def dependency(credentials: Credentials) -> ActiveSession:
        if credentials is None:
            raise _unauthorized(None)
        try:
            return remote.verify(credentials.credentials)
        except InvalidToken as error:
            raise _unauthorized("invalid_token") from error
        except AuthServiceUnavailable as error:
            raise _unavailable() from error

    return dependency
