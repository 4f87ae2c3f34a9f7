"""A JWKS endpoint and a clock the unit tests control."""

from __future__ import annotations

from typing import Any

import httpx

JWKS_URL = "https://auth.chatty.test/.well-known/jwks.json"


class FakeJwksServer:
    def __init__(self, document: dict[str, Any], cache_control: str = "public, max-age=300") -> None:
        self.document = document
        self.cache_control = cache_control
        self.fetches = 0
        self.down = False

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        self.fetches += 1
        return httpx.Response(200, json=self.document, headers={"cache-control": self.cache_control})

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self.handle))


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now
