"""RFC 7662 introspection and RFC 7009 revocation driven by Authlib's OAuth 2.0 client, against
the running service. Reads its inputs from the environment; exits non-zero on the first mismatch."""

import os

import requests
from authlib.integrations.requests_client import OAuth2Session as OAuth2Client
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata

base = os.environ["AUTH_BASE_URL"]
access = os.environ["AUTH_ACCESS_TOKEN"]
refresh = os.environ["AUTH_REFRESH_TOKEN"]
client_id = os.environ["AUTH_CLIENT_ID"]
secret = os.environ["AUTH_CLIENT_SECRET"]

# The metadata is valid as Authlib reads RFC 8414 (member by member: there is no authorization
# endpoint, which its whole-document check wants), and names the endpoints under the issuer.
document = requests.get(f"{base}/.well-known/oauth-authorization-server", timeout=10).json()
metadata = AuthorizationServerMetadata(document)
for check in ("issuer", "jwks_uri", "response_types_supported",
              "token_endpoint_auth_methods_supported", "revocation_endpoint",
              "revocation_endpoint_auth_methods_supported", "introspection_endpoint",
              "introspection_endpoint_auth_methods_supported"):
    getattr(metadata, f"validate_{check}")()
issuer = document["issuer"].rstrip("/")
assert document["introspection_endpoint"] == f"{issuer}/oauth/introspect", document
assert document["revocation_endpoint"] == f"{issuer}/oauth/revoke", document

client = OAuth2Client(client_id=client_id, client_secret=secret,
                      token_endpoint_auth_method="client_secret_basic",
                      revocation_endpoint_auth_method="client_secret_basic")
introspect = f"{base}/oauth/introspect"

answer = client.introspect_token(introspect, token=access, token_type_hint="access_token")
assert answer.status_code == 200, answer.text
claims = answer.json()
assert claims["active"] is True, claims
assert claims["token_type"] == "Bearer", claims
for name in ("exp", "iat", "nbf"):
    assert isinstance(claims[name], int), claims
for name in ("sub", "username", "iss", "aud", "sid", "jti"):
    assert isinstance(claims[name], str) and claims[name], claims
assert claims["iss"] == os.environ["AUTH_ISSUER"], claims

# A wrong hint changes nothing (RFC 7662 section 2.1).
answer = client.introspect_token(introspect, token=refresh, token_type_hint="access_token")
on_refresh = answer.json()
assert on_refresh["active"] is True and on_refresh["sub"] == claims["sub"], on_refresh
assert on_refresh["sid"] == claims["sid"] and "token_type" not in on_refresh, on_refresh

answer = client.introspect_token(introspect, token="not-a-token")
assert answer.status_code == 200 and answer.json() == {"active": False}, answer.text

intruder = OAuth2Client(client_id=client_id, client_secret=secret + "x",
                        token_endpoint_auth_method="client_secret_basic")
answer = intruder.introspect_token(introspect, token=access)
assert answer.status_code == 401, answer.text
assert answer.headers["www-authenticate"].lower().startswith("basic"), answer.headers

# Revocation with the refresh token ends the session: both tokens become inactive.
answer = client.revoke_token(f"{base}/oauth/revoke", token=refresh, token_type_hint="refresh_token")
assert answer.status_code == 200, answer.text
for token in (access, refresh):
    assert client.introspect_token(introspect, token=token).json() == {"active": False}
# Revoking again, or revoking nonsense, is still a success (RFC 7009 section 2.2).
answer = client.revoke_token(f"{base}/oauth/revoke", token=refresh)
assert answer.status_code == 200, answer.text
assert client.revoke_token(f"{base}/oauth/revoke", token="nonsense").status_code == 200
print("authlib: introspection and revocation as RFC 7662 and RFC 7009 describe")
