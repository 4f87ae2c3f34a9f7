"""Verify Chatty access tokens in FastAPI services."""

from .dependencies import access_claims, active_session
from .errors import AuthServiceUnavailable, InvalidToken
from .jwks import JwksCache
from .remote import ActiveSession, RemoteVerifier
from .tokens import AccessClaims, AccessTokenVerifier

__all__ = [
    "AccessClaims",
    "AccessTokenVerifier",
    "ActiveSession",
    "AuthServiceUnavailable",
    "InvalidToken",
    "JwksCache",
    "RemoteVerifier",
    "access_claims",
    "active_session",
]
