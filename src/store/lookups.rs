//! The hot paths' reads, one round trip each: what `/verify` and `/token/refresh` need, schema
//! version included, so neither checks migrations separately.

use super::keys::StoredKey;
use super::routine::Routine;
use super::sessions::FoundToken;
use super::users::User;
use super::{DbError, Reader, Value};
use crate::domain::ids::SessionId;
use crate::domain::rate_limit::Window;

/// Everything `/verify` needs from the database, read in one round trip: the schema version (so no
/// separate migration check is needed), the generated public key, and whether the session is active
/// (live, and its account not disabled).
pub struct AuthLookup {
    pub schema_version: Option<i64>,
    pub generated_public_x: Option<String>,
    pub session_active: bool,
}

impl Reader {
    pub fn auth_lookup(&self, session_id: &SessionId, now: i64) -> Result<AuthLookup, DbError> {
        let row = self.query_row(
            "SELECT (SELECT MAX(version) FROM schema_migrations), \
                 (SELECT public_x FROM signing_keys WHERE slot = 'generated'), \
                 (SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1 \
                 AND s.revoked_at IS NULL AND s.expires_at > $2 AND u.disabled_at IS NULL)",
            &[session_id.into(), Value::Int(now)],
        )?;
        Ok(AuthLookup {
            schema_version: row.opt_int(0)?,
            generated_public_x: row.opt_text(1)?,
            session_active: row.int(2)? > 0,
        })
    }
}

/// Everything `/token/refresh` reads, in one round trip: schema version, the refreshes already
/// counted for the client's network in this window, the presented token with its session and user,
/// and the generated signing key.
pub struct RefreshLookup {
    pub schema_version: Option<i64>,
    /// Rotations granted to the network in the window (counted on the tokens they issued) plus
    /// the other refreshes recorded in its rate-limit bucket.
    pub recent_refreshes: i64,
    pub found: Option<(FoundToken, User)>,
    pub generated_key: Option<StoredKey>,
}

impl Reader {
    /// `window` is the refresh limit's: the client's network, the window's start and the
    /// network's rate-limit bucket.
    pub fn refresh_lookup(
        &self,
        token_hash: &str,
        window: &Window,
    ) -> Result<RefreshLookup, DbError> {
        let mut row = self.routine_row(
            &REFRESH_LOOKUP,
            &[
                token_hash.into(),
                window.network.as_str().into(),
                Value::Int(window.start),
                window.bucket.as_str().into(),
                Value::Int(window.limit.saturating_add(1)),
            ],
        )?;
        // Each record of the joined row is read by its own decoder.
        let user = row.split_off(11)?;
        let key = row.split_off(8)?;
        let token = row.split_off(2)?;
        // The outer joins find a user only through the token and its session.
        let found = match user.decode_present::<User>()? {
            Some(user) => Some((FoundToken::try_from(&token)?, user)),
            None => None,
        };
        Ok(RefreshLookup {
            schema_version: row.opt_int(0)?,
            recent_refreshes: row.int(1)?,
            found,
            generated_key: key.decode_present()?,
        })
    }
}

/// The schema version, the refreshes counted in the window, then the columns of `FoundToken`,
/// `StoredKey` and `User`, each in its decoder's order (see the tests).
pub(crate) const REFRESH_LOOKUP: Routine = Routine {
    sql: "SELECT v.version, \
     (SELECT COUNT(*) FROM (SELECT 1 FROM refresh_tokens r WHERE r.client_network = $2 \
     AND r.issued_at >= CAST($3 AS BIGINT) LIMIT CAST($5 AS BIGINT)) granted) \
     + COALESCE((SELECT b.hits FROM rate_limits b WHERE b.bucket = $4 \
     AND b.window_start = CAST($3 AS BIGINT)), 0), \
     t.session_id, s.user_id, t.rotated_at, t.grace_used, s.expires_at, s.revoked_at IS NOT NULL, \
     k.kid, k.private_key, k.public_x, \
     u.id, u.email, u.username, u.password_hash, u.email_verified, u.is_admin, u.created_at, \
     u.disabled_at \
     FROM (SELECT MAX(version) AS version FROM schema_migrations) v \
     LEFT JOIN refresh_tokens t ON t.token_hash = $1 \
     LEFT JOIN sessions s ON s.id = t.session_id \
     LEFT JOIN users u ON u.id = s.user_id \
     LEFT JOIN signing_keys k ON k.slot = 'generated'",
    call: "SELECT * FROM refresh_lookup($1, $2, $3, $4, $5)",
};

#[cfg(test)]
mod tests {
    use super::super::{keys, sessions, users};
    use super::REFRESH_LOOKUP;

    fn qualified(alias: &str, columns: &str) -> String {
        columns
            .split(", ")
            .map(|c| format!("{alias}.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    #[test]
    fn the_refresh_lookup_reads_each_record_in_its_decoders_order() {
        let sql = REFRESH_LOOKUP
            .sql
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        // The version and the count first, then the records.
        let (head, records) = sql.split_once("), 0), ").unwrap();
        assert!(
            head.starts_with("SELECT v.version, (SELECT COUNT(*)"),
            "{head}"
        );
        let expected = format!(
            "{}, {}, {} FROM",
            sessions::FOUND_TOKEN_COLUMNS
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            qualified("k", keys::COLUMNS),
            qualified("u", users::COLUMNS),
        );
        assert!(records.starts_with(&expected), "{sql}");
    }
}
