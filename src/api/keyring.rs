//! Which key signs, and which keys verify: the configured key (or one generated once and kept in the
//! database) plus retired keys that may still have live tokens.

use super::ctx::Ctx;
use super::error::ApiError;
use crate::config::ConfigError;
use crate::domain::keys::{self, KeyError, PublicKey, SigningKey};
use crate::log;
use crate::store::keys::StoredKey;
use serde_json::json;

fn misconfigured(variable: &str, e: KeyError) -> ApiError {
    ApiError::Misconfigured(ConfigError {
        variable: variable.to_owned(),
        problem: format!("is not usable ({e:?})"),
    })
}

fn unusable(e: KeyError) -> ApiError {
    ApiError::Internal(format!("stored signing key unusable: {e:?}"))
}

pub fn signing_key(ctx: &Ctx) -> Result<SigningKey, ApiError> {
    signing_key_with(ctx, None)
}

/// As `signing_key`, with the generated key already read by the caller's own query, if it was.
pub fn signing_key_with(ctx: &Ctx, preloaded: Option<&StoredKey>) -> Result<SigningKey, ApiError> {
    if let Some(pem) = ctx.config.jwt_private_key()? {
        return SigningKey::from_pem(pem.expose()).map_err(|e| misconfigured("jwt_private_key", e));
    }
    if let Some(stored) = preloaded {
        return SigningKey::from_stored(&stored.private_key).map_err(unusable);
    }
    let store = ctx.store()?;
    if let Some(stored) = store.generated_key()? {
        return SigningKey::from_stored(&stored.private_key).map_err(unusable);
    }
    let fresh = SigningKey::generate();
    let candidate = StoredKey {
        kid: fresh.kid.clone(),
        private_key: fresh.to_stored(),
        public_x: fresh.public().x(),
    };
    let kept = store.store_generated_key(&candidate, ctx.now)?;
    log::warn(
        "signing_key_generated",
        json!({
            "kid": kept.kid,
            "detail": "jwt_private_key is not set: generated an Ed25519 key and stored it in the database; \
                       set jwt_private_key in production"
        }),
    );
    SigningKey::from_stored(&kept.private_key).map_err(unusable)
}

/// The public half of the signing key. `generated_x` is the stored generated key, when the caller
/// already read it; a configured key never needs the database.
pub fn current_public(ctx: &Ctx, generated_x: Option<&str>) -> Result<Option<PublicKey>, ApiError> {
    if let Some(pem) = ctx.config.jwt_private_key()? {
        return SigningKey::public_from_pem(pem.expose())
            .map(Some)
            .map_err(|e| misconfigured("jwt_private_key", e));
    }
    generated_x
        .map(|x| PublicKey::from_x(x).map_err(unusable))
        .transpose()
}

pub fn previous(ctx: &Ctx) -> Result<Vec<PublicKey>, ApiError> {
    keys::parse_key_set(&ctx.config.jwt_previous_public_keys()?)
        .map_err(|e| misconfigured("jwt_previous_public_keys", e))
}

/// Keys that may verify a token naming `kid`: the current key, and the retired ones only when the
/// token names some other key (so the common case reads no more configuration than it needs).
pub fn verification_keys(
    ctx: &Ctx,
    generated_x: Option<&str>,
    kid: Option<&str>,
) -> Result<Vec<PublicKey>, ApiError> {
    let mut keys: Vec<PublicKey> = current_public(ctx, generated_x)?.into_iter().collect();
    if keys
        .first()
        .is_none_or(|current| Some(current.kid.as_str()) != kid)
    {
        for key in previous(ctx)? {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    Ok(keys)
}
