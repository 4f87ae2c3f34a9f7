use super::routine::Routine;
use super::{DbError, Reader, Row, Store, Tx, Value};
use crate::domain::ids::{SessionId, UserId};
use crate::domain::session::PresentedToken;

/// A refresh token found by its hash, with what the rules need about its session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundToken {
    pub session_id: SessionId,
    pub user_id: UserId,
    pub state: PresentedToken,
}

/// The columns `FoundToken::try_from` reads, in its order, with the refresh token as `t` and its
/// session as `s`.
pub const FOUND_TOKEN_COLUMNS: &str = "t.session_id, s.user_id, t.rotated_at, t.grace_used, \
                                       s.expires_at, s.revoked_at IS NOT NULL";

impl TryFrom<&Row> for FoundToken {
    type Error = DbError;

    fn try_from(row: &Row) -> Result<Self, DbError> {
        Ok(FoundToken {
            session_id: row.session_id(0)?,
            user_id: row.user_id(1)?,
            state: PresentedToken {
                rotated_at: row.opt_int(2)?,
                grace_used: row.bool(3)?,
                session_expires_at: row.int(4)?,
                session_revoked: row.bool(5)?,
            },
        })
    }
}

pub struct NewSession<'a> {
    pub id: &'a SessionId,
    pub user_id: &'a UserId,
    pub token_hash: &'a str,
    pub now: i64,
    pub expires_at: i64,
    pub client_addr: &'a str,
    pub user_agent: Option<&'a str>,
}

/// A session as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    pub id: SessionId,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub revoked_reason: Option<String>,
    pub client_addr: Option<String>,
    pub user_agent: Option<String>,
}

/// The columns `SessionInfo::try_from` reads, in its order.
/// A session is used when its refresh token rotates: the last rotation is its last use (kept on the
/// tokens, so that rotation writes one table).
const SESSION_COLUMNS: &str = "id, created_at, \
     (SELECT MAX(t.rotated_at) FROM refresh_tokens t WHERE t.session_id = sessions.id), \
     expires_at, revoked_at, revoked_reason, client_addr, user_agent";

impl TryFrom<&Row> for SessionInfo {
    type Error = DbError;

    fn try_from(row: &Row) -> Result<Self, DbError> {
        Ok(SessionInfo {
            id: row.session_id(0)?,
            created_at: row.int(1)?,
            last_used_at: row.opt_int(2)?,
            expires_at: row.int(3)?,
            revoked_at: row.opt_int(4)?,
            revoked_reason: row.opt_text(5)?,
            client_addr: row.opt_text(6)?,
            user_agent: row.opt_text(7)?,
        })
    }
}

impl Tx<'_> {
    /// A session and its first refresh token.
    pub fn create_session(&self, new: &NewSession<'_>) -> Result<(), DbError> {
        self.query(
            "INSERT INTO sessions (id, user_id, created_at, expires_at, client_addr, user_agent) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                new.id.into(),
                new.user_id.into(),
                Value::Int(new.now),
                Value::Int(new.expires_at),
                new.client_addr.into(),
                new.user_agent.map_or(Value::Null, Value::from),
            ],
        )?;
        self.insert_refresh_token(new.token_hash, new.id, new.now)
    }

    fn insert_refresh_token(
        &self,
        hash: &str,
        session_id: &SessionId,
        now: i64,
    ) -> Result<(), DbError> {
        self.query(
            "INSERT INTO refresh_tokens (token_hash, session_id, issued_at) VALUES ($1, $2, $3)",
            &[hash.into(), session_id.into(), Value::Int(now)],
        )
        .map(drop)
    }
}

impl Reader {
    pub fn find_refresh_token(&self, hash: &str) -> Result<Option<FoundToken>, DbError> {
        self.record(
            &format!(
                "SELECT {FOUND_TOKEN_COLUMNS} FROM refresh_tokens t \
                 JOIN sessions s ON s.id = t.session_id WHERE t.token_hash = $1"
            ),
            &[hash.into()],
        )
    }
}

/// The rotation `rotate_refresh_token` describes. On PostgreSQL its function also locks the session
/// row it reads (`FOR UPDATE`); SQLite's one writer at a time needs no lock.
pub(crate) const ROTATE_REFRESH_TOKEN: Routine = Routine {
    sql: "INSERT INTO refresh_tokens (token_hash, session_id, issued_at, client_network) \
          SELECT v.token_hash, $3, CAST($4 AS BIGINT), $5 \
          FROM (SELECT $1 AS token_hash UNION ALL SELECT $2) v \
          WHERE EXISTS (SELECT 1 FROM refresh_tokens c WHERE c.token_hash = $1 \
          AND c.session_id = $3 AND c.rotated_at IS NULL) \
          AND EXISTS (SELECT 1 FROM sessions s WHERE s.id = $3 AND s.revoked_at IS NULL \
          AND s.expires_at > CAST($4 AS BIGINT)) \
          ON CONFLICT (token_hash) DO UPDATE SET rotated_at = CAST($4 AS BIGINT) \
          WHERE refresh_tokens.token_hash = $1 AND refresh_tokens.rotated_at IS NULL \
          RETURNING token_hash",
    call: "SELECT rotate_refresh_token($1, $2, $3, $4, $5)",
};

impl Store {
    /// Retires the current token and records its successor in one statement, if the token is still
    /// current and its session live. One statement, not a transaction: on SQLite the write lock is
    /// then held for one host call rather than across several (rotation is the hottest write), and on
    /// PostgreSQL the session row is locked while the statement runs, so a concurrent logout either
    /// waits for it or wins. `false` when another request rotated the token first or the session
    /// ended meanwhile: the caller then decides again with fresh state.
    ///
    /// How: both rows go through one upsert. The current token's row exists, so it conflicts and is
    /// marked rotated, only while `rotated_at` is still empty; the successor's row is new and is
    /// inserted. Both rows come back only when both happened. A loser of a race finds the successor
    /// already there (it is derived from the same token) and the current token already rotated, so
    /// neither row comes back and nothing changes.
    ///
    /// The successor records the client's network: the refresh limit counts granted rotations on
    /// the tokens they issued (see `refresh_lookup`).
    pub fn rotate_refresh_token(
        &self,
        old_hash: &str,
        new_hash: &str,
        session_id: &SessionId,
        client_network: &str,
        now: i64,
    ) -> Result<bool, DbError> {
        let written = self.routine_count(
            &ROTATE_REFRESH_TOKEN,
            &[
                old_hash.into(),
                new_hash.into(),
                session_id.into(),
                Value::Int(now),
                client_network.into(),
            ],
        )?;
        Ok(written == 2)
    }

    /// Spends a retired token's single extra use inside the grace window, if its successor (derived
    /// again by the caller) is the one on record and the session is live. The client gets that same
    /// successor back: the session keeps one line of tokens. `false` when the use was spent already,
    /// the successor does not match or the session ended. One statement, for the reasons given at
    /// `rotate_refresh_token`.
    pub fn reissue_in_grace(
        &self,
        old_hash: &str,
        successor_hash: &str,
        session_id: &SessionId,
        now: i64,
    ) -> Result<bool, DbError> {
        let sql = format!(
            "UPDATE refresh_tokens SET grace_used = TRUE WHERE token_hash = $1 \
             AND rotated_at IS NOT NULL AND grace_used = FALSE \
             AND EXISTS (SELECT 1 FROM refresh_tokens successor WHERE successor.token_hash = $2 \
             AND successor.session_id = $3) \
             AND EXISTS (SELECT 1 FROM sessions s WHERE s.id = $3 AND s.revoked_at IS NULL \
             AND s.expires_at > CAST($4 AS BIGINT){lock}) \
             RETURNING token_hash",
            lock = self.lock_rows()
        );
        Ok(!self
            .query(
                &sql,
                &[
                    old_hash.into(),
                    successor_hash.into(),
                    session_id.into(),
                    Value::Int(now),
                ],
            )?
            .is_empty())
    }
}

impl Tx<'_> {
    /// Revokes one session (every token of its family). `true` if it was active until now.
    pub fn revoke_session(
        &self,
        session_id: &SessionId,
        reason: &str,
        now: i64,
    ) -> Result<bool, DbError> {
        let revoked = self.query(
            "UPDATE sessions SET revoked_at = $2, revoked_reason = $3 WHERE id = $1 AND revoked_at IS NULL \
             RETURNING id",
            &[session_id.into(), Value::Int(now), reason.into()],
        )?;
        Ok(!revoked.is_empty())
    }

    /// Revokes every live session of a user; returns the ids revoked. Expired sessions are left
    /// alone: they end by themselves and are purged.
    pub fn revoke_user_sessions(
        &self,
        user_id: &UserId,
        reason: &str,
        now: i64,
    ) -> Result<Vec<SessionId>, DbError> {
        self.query(
            "UPDATE sessions SET revoked_at = $2, revoked_reason = $3 WHERE user_id = $1 \
             AND revoked_at IS NULL AND expires_at > $2 RETURNING id",
            &[user_id.into(), Value::Int(now), reason.into()],
        )?
        .iter()
        .map(|row| row.session_id(0))
        .collect()
    }

    /// Ends the user's live sessions beyond the newest `keep` (ids are time-ordered); returns the
    /// ids ended.
    pub fn end_sessions_beyond(
        &self,
        user_id: &UserId,
        keep: i64,
        reason: &str,
        now: i64,
    ) -> Result<Vec<SessionId>, DbError> {
        self.query(
            "UPDATE sessions SET revoked_at = $2, revoked_reason = $3 WHERE user_id = $1 \
             AND revoked_at IS NULL AND expires_at > $2 AND id NOT IN (\
             SELECT id FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 \
             ORDER BY id DESC LIMIT $4) RETURNING id",
            &[
                user_id.into(),
                Value::Int(now),
                reason.into(),
                Value::Int(keep),
            ],
        )?
        .iter()
        .map(|row| row.session_id(0))
        .collect()
    }
}

impl Reader {
    /// The user's live sessions, newest first.
    pub fn live_sessions(&self, user_id: &UserId, now: i64) -> Result<Vec<SessionInfo>, DbError> {
        self.records(
            &format!(
                "SELECT {SESSION_COLUMNS} FROM sessions WHERE user_id = $1 AND revoked_at IS NULL \
                 AND expires_at > $2 ORDER BY id DESC"
            ),
            &[user_id.into(), Value::Int(now)],
        )
    }

    /// Every session still on record for the user (ended ones until they are purged), newest first.
    pub fn all_sessions(&self, user_id: &UserId) -> Result<Vec<SessionInfo>, DbError> {
        self.records(
            &format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE user_id = $1 ORDER BY id DESC"),
            &[user_id.into()],
        )
    }

    /// Whether the session is live and belongs to the user.
    pub fn owns_live_session(
        &self,
        user_id: &UserId,
        session_id: &SessionId,
        now: i64,
    ) -> Result<bool, DbError> {
        Ok(self
            .query_one(
                "SELECT 1 FROM sessions WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL \
                 AND expires_at > $3",
                &[session_id.into(), user_id.into(), Value::Int(now)],
            )?
            .is_some())
    }
}

impl Tx<'_> {
    /// Drops where the user's sessions signed in from: personal data of a deleted account.
    pub fn forget_session_clients(&self, user_id: &UserId) -> Result<(), DbError> {
        self.query(
            "UPDATE sessions SET client_addr = NULL, user_agent = NULL WHERE user_id = $1",
            &[user_id.into()],
        )
        .map(drop)
    }
}

/// A refresh token that would be accepted now: current in its session, the session live and its
/// account not disabled. What introspection reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveRefreshToken {
    pub session_id: SessionId,
    pub user_id: UserId,
    pub username: String,
    pub issued_at: i64,
    pub session_expires_at: i64,
}

impl TryFrom<&Row> for LiveRefreshToken {
    type Error = DbError;

    fn try_from(row: &Row) -> Result<Self, DbError> {
        Ok(LiveRefreshToken {
            session_id: row.session_id(0)?,
            user_id: row.user_id(1)?,
            username: row.text(2)?,
            issued_at: row.int(3)?,
            session_expires_at: row.int(4)?,
        })
    }
}

impl Reader {
    pub fn live_refresh_token(
        &self,
        hash: &str,
        now: i64,
    ) -> Result<Option<LiveRefreshToken>, DbError> {
        self.record(
            "SELECT t.session_id, u.id, u.username, t.issued_at, s.expires_at \
             FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id \
             JOIN users u ON u.id = s.user_id WHERE t.token_hash = $1 AND t.rotated_at IS NULL \
             AND s.revoked_at IS NULL AND s.expires_at > $2 AND u.disabled_at IS NULL",
            &[hash.into(), Value::Int(now)],
        )
    }
}
