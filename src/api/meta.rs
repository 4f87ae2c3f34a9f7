//! `GET /health`, `GET /.well-known/jwks.json`, `GET /openapi.json`.

use super::ctx::Ctx;
use super::error::ApiError;
use super::keyring;
use crate::domain::keys::{Jwk, PublicKey};
use crate::http::Request;
use crate::http::Response;
use crate::http::caching;
use serde::Serialize;

/// The API description, embedded at build time without its indentation (see build.rs).
pub const OPENAPI: &str = include_str!(concat!(env!("OUT_DIR"), "/openapi.json"));
/// The same, gzip-coded, for the clients that accept it.
const OPENAPI_GZIP: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/openapi.json.gz"));
/// Entity tags of the two: each coding is a representation of its own (RFC 9110 section 8.8.3).
const OPENAPI_ETAG: &str = include_str!(concat!(env!("OUT_DIR"), "/openapi.etag"));
const OPENAPI_GZIP_ETAG: &str = include_str!(concat!(env!("OUT_DIR"), "/openapi.gz.etag"));

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

/// The document in the coding the client takes best, or `304 Not Modified` when its copy is current.
pub fn openapi(_ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    let header = |name| request.header_str(name).ok().flatten();
    let gzip = caching::accepts_gzip(header("accept-encoding"));
    let (etag, body) = if gzip {
        (OPENAPI_GZIP_ETAG, OPENAPI_GZIP)
    } else {
        (OPENAPI_ETAG, OPENAPI.as_bytes())
    };
    let mut response = if caching::none_match(header("if-none-match"), etag) {
        Response::new(304)
    } else {
        Response::new(200).with_body("application/json", body.to_vec())
    };
    if gzip && response.status == 200 {
        response = response.with_header("content-encoding", "gzip");
    }
    Ok(response
        .with_header("etag", etag)
        .with_header("vary", "accept-encoding")
        .with_header("cache-control", "public, max-age=3600"))
}

#[cfg(test)]
mod tests {
    use super::{OPENAPI, OPENAPI_ETAG, OPENAPI_GZIP, OPENAPI_GZIP_ETAG};
    use serde_json::Value;
    use std::io::Read;

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

    #[test]
    fn the_gzip_coding_holds_the_served_document_and_has_a_tag_of_its_own() {
        let mut decoded = String::new();
        flate2::read::GzDecoder::new(OPENAPI_GZIP)
            .read_to_string(&mut decoded)
            .unwrap();
        assert_eq!(decoded, OPENAPI);
        assert!(
            OPENAPI_GZIP.len() * 4 < OPENAPI.len(),
            "{}",
            OPENAPI_GZIP.len()
        );
        assert!(OPENAPI_ETAG.starts_with('"') && OPENAPI_ETAG.ends_with('"'));
        assert_ne!(OPENAPI_ETAG, OPENAPI_GZIP_ETAG);
    }
}
