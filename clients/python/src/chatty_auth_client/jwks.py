"""The auth service's public keys, fetched from its JWKS and cached as its Cache-Control says."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .errors import AuthServiceUnavailable, InvalidToken

JWKS_PATH = "/.well-known/jwks.json"
# A response without max-age is kept this long (the service itself says 300 s).
DEFAULT_MAX_AGE = 60.0
# Tokens with made-up kids must not turn every request into a JWKS fetch.
MIN_REFETCH_INTERVAL = 10.0

_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d+)\"?\s*(?:,|$)", re.IGNORECASE)
_NO_CACHE = re.compile(r"(?:^|,)\s*(no-store|no-cache)\s*(?:,|$)", re.IGNORECASE)


def max_age(cache_control: str | None) -> float:
    """Seconds a response may be reused, from its Cache-Control header."""
    if cache_control is None:
        return DEFAULT_MAX_AGE
    if _NO_CACHE.search(cache_control):
        return 0.0
    found = _MAX_AGE.search(cache_control)
    return float(found.group(1)) if found else DEFAULT_MAX_AGE


def ed25519_keys(document: object) -> dict[str, Ed25519PublicKey]:
    """The Ed25519 signing keys of a JWK set, by kid; other keys are ignored."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise AuthServiceUnavailable("the JWKS is not a JWK set")
    keys: dict[str, Ed25519PublicKey] = {}
    for jwk in document["keys"]:
        if not isinstance(jwk, dict) or not isinstance(jwk.get("kid"), str):
            continue
        if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
            continue
        if jwk.get("use", "sig") != "sig" or jwk.get("alg", "EdDSA") != "EdDSA":
            continue
        try:
            key = jwt.PyJWK(jwk).key
        except (jwt.PyJWTError, ValueError):
            continue
        if isinstance(key, Ed25519PublicKey):
            keys[jwk["kid"]] = key
    return keys


class JwksCache:
    """Keys by kid. Refetched when the cached set is stale, or when a token names a kid it lacks
    (a rotation happened since), at most once per `min_refetch_interval`. Thread-safe: FastAPI
    runs sync dependencies on a thread pool."""

    def __init__(
        self,
        url: str,
        client: httpx.Client | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        min_refetch_interval: float = MIN_REFETCH_INTERVAL,
    ) -> None:
        self.url = url
        self._client = client or httpx.Client(timeout=5.0)
        self._clock = clock
        self._min_refetch_interval = min_refetch_interval
        self._keys: dict[str, Ed25519PublicKey] = {}
        self._fetched_at: float | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()

    @classmethod
    def for_service(cls, base_url: str, client: httpx.Client | None = None) -> JwksCache:
        return cls(base_url.rstrip("/") + JWKS_PATH, client)

    def key(self, kid: str) -> Ed25519PublicKey:
        with self._lock:
            now = self._clock()
            if self._fetched_at is None or now >= self._expires_at:
                self._refresh(now, keep_stale=True)
            elif kid not in self._keys and now - self._fetched_at >= self._min_refetch_interval:
                self._refresh(now, keep_stale=True)
            found = self._keys.get(kid)
        if found is None:
            raise InvalidToken(f"no key with kid {kid!r} in the JWKS")
        return found

    def _refresh(self, now: float, keep_stale: bool) -> None:
        try:
            response = self._client.get(self.url, headers={"accept": "application/json"})
            response.raise_for_status()
            keys = ed25519_keys(response.json())
        except (httpx.HTTPError, ValueError, AuthServiceUnavailable) as error:
            # Keys already known stay usable while the service is unreachable: a token signed by
            # one of them is no less genuine for it.
            if keep_stale and self._keys:
                return
            raise AuthServiceUnavailable(f"cannot fetch {self.url}: {error}") from error
        self._keys = keys
        self._fetched_at = now
        self._expires_at = now + max_age(response.headers.get("cache-control"))
