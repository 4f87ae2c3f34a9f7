from __future__ import annotations

import pytest
from fakes import JWKS_URL, Clock, FakeJwksServer
from keys import TestKey, jwks

from chatty_auth_client import AuthServiceUnavailable, InvalidToken, JwksCache
from chatty_auth_client.jwks import DEFAULT_MAX_AGE, max_age


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("public, max-age=300", 300.0),
        ("max-age=0", 0.0),
        ('MAX-AGE="42", public', 42.0),
        ("no-store", 0.0),
        ("public, no-cache", 0.0),
        ("public, s-maxage=999", DEFAULT_MAX_AGE),
        (None, DEFAULT_MAX_AGE),
    ],
)
def test_cache_lifetime_follows_cache_control(header: str | None, seconds: float) -> None:
    assert max_age(header) == seconds


def cache(server: FakeJwksServer, clock: Clock) -> JwksCache:
    return JwksCache(JWKS_URL, server.client(), clock=clock)


def test_keys_are_fetched_once_while_fresh_then_again() -> None:
    key = TestKey("a")
    server, clock = FakeJwksServer(jwks(key), "public, max-age=300"), Clock()
    keys = cache(server, clock)
    keys.key("a")
    clock.now += 299
    keys.key("a")
    assert server.fetches == 1
    clock.now += 1
    keys.key("a")
    assert server.fetches == 2


def test_an_unknown_kid_refetches_and_finds_a_rotated_key() -> None:
    old, new = TestKey("old"), TestKey("new")
    server, clock = FakeJwksServer(jwks(old)), Clock()
    keys = cache(server, clock)
    keys.key("old")
    server.document = jwks(new, old)
    clock.now += 30
    assert keys.key("new") is not None
    assert server.fetches == 2


def test_made_up_kids_cannot_force_a_fetch_per_request() -> None:
    server, clock = FakeJwksServer(jwks(TestKey("a"))), Clock()
    keys = cache(server, clock)
    keys.key("a")
    for _ in range(5):
        with pytest.raises(InvalidToken, match="no key"):
            keys.key("forged")
    assert server.fetches == 1
    clock.now += 10
    with pytest.raises(InvalidToken):
        keys.key("forged")
    assert server.fetches == 2


def test_known_keys_outlive_an_unreachable_service_but_none_are_invented() -> None:
    server, clock = FakeJwksServer(jwks(TestKey("a"))), Clock()
    keys = cache(server, clock)
    keys.key("a")
    server.down = True
    clock.now += 3600
    assert keys.key("a") is not None
    fresh = cache(server, clock)
    with pytest.raises(AuthServiceUnavailable):
        fresh.key("a")


def test_keys_other_than_ed25519_signing_keys_are_ignored() -> None:
    good = TestKey("good")
    document = jwks(good)
    document["keys"] += [
        {"kty": "RSA", "kid": "rsa", "n": "AQAB", "e": "AQAB"},
        good.jwk() | {"kid": "enc", "use": "enc"},
        good.jwk() | {"kid": "es", "alg": "ES256"},
        {"kty": "OKP", "crv": "Ed25519", "kid": "broken", "x": "not-a-key"},
    ]
    keys = cache(FakeJwksServer(document), Clock())
    assert keys.key("good") is not None
    for kid in ["rsa", "enc", "es", "broken"]:
        with pytest.raises(InvalidToken):
            keys.key(kid)


def test_a_body_that_is_not_a_jwk_set_is_an_outage_not_an_empty_set() -> None:
    keys = cache(FakeJwksServer({"nope": []}), Clock())
    with pytest.raises(AuthServiceUnavailable):
        keys.key("a")
