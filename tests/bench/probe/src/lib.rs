//! `GET /` answers 200 with nothing done; `POST /hash?m=..&t=..&p=..` computes one argon2id hash
//! with those costs, as auth_service does for every login and registration; `POST /ed25519` checks
//! one Ed25519 signature (body: public key, signature, message) as auth_service does for every
//! `GET /verify`; `POST /jwt` signs one access token with jwt-simple (body: the 64-byte key pair,
//! then the token's claims as JSON) as auth_service does for every `POST /token/refresh`;
//! `GET /bytes?n=N` answers N bytes; `GET /variables?n=N` reads N Spin variables (`setting_a` on)
//! as auth_service reads its settings; `POST /rotation` is the floor of that refresh on this runtime: a database opened through Spin's
//! interface (SQLite `default`, or the PostgreSQL URL in `x-database-url`), one indexed read, one
//! short write transaction, and the signing of `/jwt`.

use argon2::{Algorithm, Argon2, Params, Version};
use jwt_simple::prelude::{
    Audiences, Duration, Ed25519KeyPair, EdDSAKeyPairLike, HeaderOptions, JWTClaims,
};
use serde_json::{Map, Value};
use spin_sdk::http::{Request, Response};

#[spin_sdk::http_component]
fn handle(request: Request) -> Response {
    match request.path() {
        "/hash" => hash(&request),
        "/ed25519" => ed25519(request.body()),
        "/jwt" => jwt(request.body()),
        "/rotation" => rotation(&request),
        "/bytes" => bytes(&request),
        "/variables" => variables(&request),
        _ => Response::new(200, ()),
    }
}

/// The same calls as auth_service's check: key decoded from bytes, strict verification.
fn ed25519(body: &[u8]) -> Response {
    let Some((key, rest)) = body.split_first_chunk::<32>() else {
        return Response::new(400, ());
    };
    let Some((signature, message)) = rest.split_first_chunk::<64>() else {
        return Response::new(400, ());
    };
    let valid = ed25519_dalek::VerifyingKey::from_bytes(key).is_ok_and(|key| {
        key.verify_strict(message, &ed25519_dalek::Signature::from_bytes(signature))
            .is_ok()
    });
    Response::new(if valid { 200 } else { 400 }, ())
}

/// The same calls as auth_service's issuing: key pair from its stored bytes with its key id, the
/// registered claims set, the rest as custom claims, `typ` `at+jwt`.
fn jwt(body: &[u8]) -> Response {
    let Some((pair, claims)) = body.split_first_chunk::<64>() else {
        return Response::new(400, ());
    };
    let (Ok(pair), Ok(mut custom)) = (
        Ed25519KeyPair::from_bytes(pair),
        serde_json::from_slice::<Map<String, Value>>(claims),
    ) else {
        return Response::new(400, ());
    };
    let pair = pair.with_key_id("probe");
    let mut text = |name: &str| match custom.remove(name) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    };
    let (issuer, subject, audience, jwt_id) = (text("iss"), text("sub"), text("aud"), text("jti"));
    let mut seconds = |name: &str| {
        custom
            .remove(name)
            .and_then(|v| v.as_u64())
            .map(Duration::from_secs)
    };
    let (issued_at, expires_at, invalid_before) = (seconds("iat"), seconds("exp"), seconds("nbf"));
    let claims = JWTClaims {
        issued_at,
        expires_at,
        invalid_before,
        issuer,
        subject,
        audiences: audience.map(Audiences::AsString),
        jwt_id,
        nonce: None,
        custom,
    };
    let options = HeaderOptions {
        signature_type: Some("at+jwt".to_owned()),
        ..HeaderOptions::default()
    };
    match pair.sign_with_options(claims, &options) {
        Ok(token) => Response::new(200, token),
        Err(_) => Response::new(500, ()),
    }
}

/// The least a rotation does with its database, then its signing. The write goes to the
/// benchmark's own table (`bench_floor`, created before the run); ids are random, as a new token's.
fn rotation(request: &Request) -> Response {
    let url = request
        .header("x-database-url")
        .and_then(|v| v.as_str())
        .filter(|url| !url.is_empty());
    let stored = match url {
        Some(url) => rotation_postgres(url),
        None => rotation_sqlite(),
    };
    match stored {
        Ok(()) => jwt(request.body()),
        Err(e) => Response::new(500, e),
    }
}

/// As auth_service writes on SQLite: a busy timeout and `synchronous = NORMAL` set on the
/// connection first, then `BEGIN IMMEDIATE`.
fn rotation_sqlite() -> Result<(), String> {
    use spin_sdk::sqlite::{Connection, Value};
    let db = Connection::open_default().map_err(|e| e.to_string())?;
    let run = |sql: &str, params: &[Value]| db.execute(sql, params).map(drop);
    run(LOOKUP, &[Value::Text("none".to_owned())])
        .and_then(|()| run("PRAGMA busy_timeout = 30000", &[]))
        .and_then(|()| run("PRAGMA synchronous = NORMAL", &[]))
        .and_then(|()| run("BEGIN IMMEDIATE", &[]))
        .and_then(|()| {
            run(
                "INSERT INTO bench_floor (id, note) VALUES (random(), 'x')",
                &[],
            )
        })
        .and_then(|()| run("COMMIT", &[]))
        .map_err(|e| e.to_string())
}

fn rotation_postgres(url: &str) -> Result<(), String> {
    use spin_sdk::pg3::{Connection, ParameterValue};
    let db = Connection::open(url).map_err(|e| e.to_string())?;
    let id = ParameterValue::Str("none".to_owned());
    db.query(&LOOKUP.replace('?', "$1"), &[id])
        .map(drop)
        .and_then(|()| db.execute("BEGIN", &[]).map(drop))
        .and_then(|()| {
            db.execute(
                "INSERT INTO bench_floor (id, note) \
                 VALUES ((random() * 9e18)::bigint, 'x')",
                &[],
            )
            .map(drop)
        })
        .and_then(|()| db.execute("COMMIT", &[]).map(drop))
        .map_err(|e| e.to_string())
}

/// The read: an indexed lookup of the sessions table, as auth_service's refresh lookup starts.
const LOOKUP: &str = "SELECT COUNT(*) FROM sessions WHERE id = ?";

/// `GET /bytes?n=N`: N bytes, the floor of a constant answer that size (`/openapi.json`).
fn bytes(request: &Request) -> Response {
    Response::new(200, vec![b' '; count(request)])
}

/// `GET /variables?n=N`: reads `setting_a` and the N - 1 after it, answering how many were defined.
fn variables(request: &Request) -> Response {
    let n = count(request);
    let defined = (b'a'..=b'z')
        .take(n)
        .filter(|c| spin_sdk::variables::get(&format!("setting_{}", char::from(*c))).is_ok())
        .count();
    Response::new(if defined == n { 200 } else { 500 }, defined.to_string())
}

/// The `n` of a `?n=N` query, 0 if there is none.
fn count(request: &Request) -> usize {
    request
        .query()
        .strip_prefix("n=")
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn hash(request: &Request) -> Response {
    let cost = |name: &str, default: u32| {
        request
            .query()
            .split('&')
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('=')?.parse().ok())
            .unwrap_or(default)
    };
    let hashed =
        Params::new(cost("m", 19_456), cost("t", 2), cost("p", 1), Some(32)).and_then(|params| {
            let mut out = [0u8; 32];
            Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
                .hash_password_into(
                    b"correct horse battery staple",
                    b"benchmark-salt16",
                    &mut out,
                )
                .map(|()| out)
        });
    match hashed {
        Ok(out) => Response::new(200, out.to_vec()),
        Err(_) => Response::new(400, ()),
    }
}
