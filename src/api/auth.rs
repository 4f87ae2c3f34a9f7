//! Authenticating a caller by access token: signature and claims, then the session still active.
//! The hot path of the platform (every `/verify`). With a configured signing key the signature
//! needs no database, and a live session is confirmed by the key-value session cache; with a
//! generated key (development), or when the cache does not know the session (revoked, older than
//! the cache, or the store unreachable), one SQL round trip settles it.

use super::ctx::Ctx;
use super::error::ApiError;
use super::keyring;
use crate::domain::access_token::{self, Expectations, VerifiedToken};
use crate::domain::ids::SessionId;
use crate::http::{Request, bearer};
use crate::log;
use crate::store::lookups::AuthLookup;
use crate::store::session_cache::SessionCache;
use crate::store::users::User;
use serde_json::json;

pub fn authenticate(ctx: &Ctx, request: &Request) -> Result<VerifiedToken, ApiError> {
    let token = bearer::token(request).ok_or(ApiError::InvalidToken)?;
    verify_access_token(ctx, token)
}

/// The verified caller and their (live) account.
pub fn caller(ctx: &Ctx, request: &Request) -> Result<(VerifiedToken, User), ApiError> {
    let token = authenticate(ctx, request)?;
    let user = ctx
        .store()?
        .user_by_id(&token.sub)?
        .ok_or(ApiError::InvalidToken)?;
    Ok((token, user))
}

/// An access token however it arrived (a header, an introspection form): `InvalidToken` unless
/// it is ours, valid now, and its session live with its account not disabled.
pub fn verify_access_token(ctx: &Ctx, token: &str) -> Result<VerifiedToken, ApiError> {
    // Unverified, only to fetch the right key and the session state together; nothing here is
    // trusted until the signature and claims are checked below.
    let peek = access_token::decode_unverified(token).map_err(|_| ApiError::InvalidToken)?;
    let sid = peek.sid.ok_or(ApiError::InvalidToken)?;
    let cache_first = ctx.config.jwt_private_key()?.is_some() && ctx.config.session_cache()?;
    let sql = if cache_first {
        None
    } else {
        Some(lookup(ctx, &sid)?)
    };
    let generated_x = sql.as_ref().and_then(|l| l.generated_public_x.as_deref());
    let keys = keyring::verification_keys(ctx, generated_x, peek.kid.as_deref())?;
    let issuer = ctx.config.issuer()?;
    let audience = ctx.config.audience()?;
    let verified = access_token::verify(
        token,
        &Expectations {
            keys: &keys,
            issuer: &issuer,
            audience: &audience,
            now: u64::try_from(ctx.now).unwrap_or(0),
        },
    )
    .map_err(|_| ApiError::InvalidToken)?;
    if verified.claims.sid != sid {
        return Err(ApiError::InvalidToken);
    }
    let active = match sql {
        Some(lookup) => lookup.session_active,
        None => match SessionCache::open().and_then(|cache| cache.is_live(&sid)) {
            Ok(true) => true,
            Ok(false) => lookup(ctx, &sid)?.session_active,
            Err(e) => {
                log::warn(
                    "session_cache_unreadable",
                    json!({"request_id": ctx.request_id, "cause": e.to_string()}),
                );
                lookup(ctx, &sid)?.session_active
            }
        },
    };
    if !active {
        return Err(ApiError::InvalidToken);
    }
    Ok(verified)
}

/// The lookup, migrating first if the schema turns out to be behind (or missing).
fn lookup(ctx: &Ctx, sid: &SessionId) -> Result<AuthLookup, ApiError> {
    let store = ctx.store_unchecked()?;
    match store.auth_lookup(sid, ctx.now) {
        Ok(found) if store.schema_version_is_current(found.schema_version) => Ok(found),
        _ => {
            store.ensure_schema()?;
            Ok(store.auth_lookup(sid, ctx.now)?)
        }
    }
}
