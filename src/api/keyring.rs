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

pub fn signing_key(ctx: &Ctx) -> Result<SigningKey, ApiError> {
    if let Some(pem) = ctx.config.jwt_private_key()? {
        return SigningKey::from_pem(pem.expose()).map_err(|e| misconfigured("jwt_private_key", e));
    }
    let store = ctx.store()?;
    if let Some(stored) = store.generated_key()? {
        return SigningKey::from_stored(&stored.private_key)
            .map_err(|e| ApiError::Internal(format!("stored signing key unusable: {e:?}")));
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
    SigningKey::from_stored(&kept.private_key)
        .map_err(|e| ApiError::Internal(format!("stored signing key unusable: {e:?}")))
}

/// Keys that verify access tokens. Does not create a key: with none, no token can be valid.
pub fn verification_keys(ctx: &Ctx) -> Result<Vec<PublicKey>, ApiError> {
    let mut keys = Vec::with_capacity(2);
    if let Some(pem) = ctx.config.jwt_private_key()? {
        let key =
            SigningKey::from_pem(pem.expose()).map_err(|e| misconfigured("jwt_private_key", e))?;
        keys.push(key.public());
    } else if let Some(x) = ctx.store()?.generated_public_key()? {
        keys.push(
            PublicKey::from_x(&x)
                .map_err(|e| ApiError::Internal(format!("stored public key unusable: {e:?}")))?,
        );
    }
    let previous = keys::parse_key_set(&ctx.config.jwt_previous_public_keys()?)
        .map_err(|e| misconfigured("jwt_previous_public_keys", e))?;
    for key in previous {
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    Ok(keys)
}
