use super::keys::StoredKey;
use super::sessions::FoundToken;
use super::users::User;
use super::{DbError, Store, Value};
use crate::domain::session::PresentedToken;

/// Everything `/verify` needs from the database, read in one round trip: the schema version (so no
/// separate migration check is needed), the generated public key, and whether the session is active
/// (live, and its account not disabled).
pub struct AuthLookup {
    pub schema_version: Option<i64>,
    pub generated_public_x: Option<String>,
    pub session_active: bool,
}

impl Store {
    pub fn auth_lookup(&self, session_id: &str, now: i64) -> Result<AuthLookup, DbError> {
        let row = self
            .query_one(
                "SELECT (SELECT MAX(version) FROM schema_migrations), \
                 (SELECT public_x FROM signing_keys WHERE slot = 'generated'), \
                 (SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1 \
                 AND s.revoked_at IS NULL AND s.expires_at > $2 AND u.disabled_at IS NULL)",
                &[session_id.into(), Value::Int(now)],
            )?
            .ok_or_else(|| DbError::Query("lookup returned no row".to_owned()))?;
        Ok(AuthLookup {
            schema_version: row.opt_int(0)?,
            generated_public_x: row.opt_text(1)?,
            session_active: row.int(2)? > 0,
        })
    }
}

/// Everything `/token/refresh` reads, in one round trip: schema version, the presented token with its
/// session and user, and the generated signing key.
pub struct RefreshLookup {
    pub schema_version: Option<i64>,
    pub found: Option<(FoundToken, User)>,
    pub generated_key: Option<StoredKey>,
}

impl Store {
    pub fn refresh_lookup(&self, token_hash: &str) -> Result<RefreshLookup, DbError> {
        let row = self
            .query_one(
                "SELECT v.version, t.session_id, s.user_id, t.rotated_at, t.grace_used, s.expires_at, \
                 s.revoked_at IS NOT NULL, u.email, u.username, u.password_hash, u.email_verified, \
                 u.is_admin, u.created_at, k.kid, k.private_key, k.public_x, u.disabled_at \
                 FROM (SELECT MAX(version) AS version FROM schema_migrations) v \
                 LEFT JOIN refresh_tokens t ON t.token_hash = $1 \
                 LEFT JOIN sessions s ON s.id = t.session_id \
                 LEFT JOIN users u ON u.id = s.user_id \
                 LEFT JOIN signing_keys k ON k.slot = 'generated'",
                &[token_hash.into()],
            )?
            .ok_or_else(|| DbError::Query("lookup returned no row".to_owned()))?;
        let found = match (row.opt_text(1)?, row.opt_text(2)?) {
            (Some(session_id), Some(user_id)) => Some((
                FoundToken {
                    session_id,
                    user_id: user_id.clone(),
                    state: PresentedToken {
                        rotated_at: row.opt_int(3)?,
                        grace_used: row.bool(4)?,
                        session_expires_at: row.int(5)?,
                        session_revoked: row.bool(6)?,
                    },
                },
                User {
                    id: user_id,
                    email: row.text(7)?,
                    username: row.text(8)?,
                    password_hash: row.text(9)?,
                    email_verified: row.bool(10)?,
                    is_admin: row.bool(11)?,
                    created_at: row.int(12)?,
                    disabled_at: row.opt_int(16)?,
                },
            )),
            _ => None,
        };
        let generated_key = match row.opt_text(13)? {
            Some(kid) => Some(StoredKey {
                kid,
                private_key: row.text(14)?,
                public_x: row.text(15)?,
            }),
            None => None,
        };
        Ok(RefreshLookup {
            schema_version: row.opt_int(0)?,
            found,
            generated_key,
        })
    }
}
