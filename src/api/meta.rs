//! `GET /health`, `GET /.well-known/jwks.json`, `GET /openapi.json`.

use super::ctx::Ctx;
use super::error::ApiError;
use super::keyring;
use crate::domain::keys::{Jwk, PublicKey};
use crate::http::Request;
use crate::http::Response;
use serde::Serialize;

/// The API description, embedded at build time without its indentation (see build.rs).
pub const OPENAPI: &str = include_str!(concat!(env!("OUT_DIR"), "/openapi.json"));

/// Resolvers may cache keys this long; a rotation keeps the old key published for longer than that.
const JWKS_MAX_AGE_SECS: u32 = 300;

/// Healthy, and so is the database.
#[derive(Serialize)]
struct Health {
    database: &'static str,
    status: &'static str,
}

/// The published key set (RFC 7517 section 5).
#[derive(Serialize)]
struct KeySet<'a> {
    keys: Vec<Jwk<'a>>,
}

pub fn health(ctx: &Ctx, _request: &Request) -> Result<Response, ApiError> {
    // Opening the store reads the schema version from the database (and migrates if it is behind):
    // that query is the health check, so a healthy answer costs one round trip.
    ctx.store()?;
    Ok(Response::json(
        200,
        &Health {
            database: "ok",
            status: "ok",
        },
    )
    .with_header("cache-control", "no-store"))
}

pub fn jwks(ctx: &Ctx, _request: &Request) -> Result<Response, ApiError> {
    // A configured key needs only its public half (no database, no full key load). Otherwise
    // publishing the key set creates the generated key if there is none yet, so that it is stable
    // from the first fetch.
    let current = match keyring::current_public(ctx, None)? {
        Some(configured) => configured,
        None => keyring::signing_key(ctx)?.public(),
    };
    let mut keys = vec![current];
    for key in keyring::previous(ctx)? {
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    let body = KeySet {
        keys: keys.iter().map(PublicKey::to_jwk).collect(),
    };
    Ok(Response::json(200, &body).with_header(
        "cache-control",
        format!("public, max-age={JWKS_MAX_AGE_SECS}"),
    ))
}

pub fn openapi(_ctx: &Ctx, _request: &Request) -> Result<Response, ApiError> {
    Ok(Response::new(200)
        .with_body("application/json", OPENAPI.as_bytes().to_vec())
        .with_header("cache-control", "public, max-age=3600"))
}

#[cfg(test)]
mod tests {
    use super::OPENAPI;
    use serde_json::Value;

    #[test]
    fn the_served_document_is_the_written_one_without_its_indentation() {
        let written = include_str!("openapi.json");
        let parse = |text: &str| serde_json::from_str::<Value>(text).unwrap();
        assert_eq!(parse(OPENAPI), parse(written));
        assert!(!OPENAPI.contains('\n'));
        assert!(OPENAPI.len() * 10 < written.len() * 7, "{}", OPENAPI.len());
        // Whitespace inside strings is kept.
        assert!(OPENAPI.contains(r#""title":"Chatty auth_service""#));
    }
}
