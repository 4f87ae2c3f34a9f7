use super::{DbError, Reader, Row, Tx, Value};
use crate::domain::ids::UserId;
use crate::domain::one_time_token::{Purpose, StoredToken};

/// A one-time token found by its hash: whose it is, and what decides whether it still works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundOneTimeToken {
    pub user_id: UserId,
    pub token: StoredToken,
}

impl TryFrom<&Row> for FoundOneTimeToken {
    type Error = DbError;

    fn try_from(row: &Row) -> Result<Self, DbError> {
        Ok(FoundOneTimeToken {
            user_id: row.user_id(0)?,
            token: StoredToken {
                expires_at: row.int(1)?,
                used: row.bool(2)?,
            },
        })
    }
}

impl Tx<'_> {
    pub fn insert_one_time_token(
        &self,
        hash: &str,
        user_id: &UserId,
        purpose: Purpose,
        now: i64,
        expires_at: i64,
    ) -> Result<(), DbError> {
        self.query(
            "INSERT INTO one_time_tokens (token_hash, user_id, purpose, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
            &[
                hash.into(),
                user_id.into(),
                purpose.as_str().into(),
                Value::Int(now),
                Value::Int(expires_at),
            ],
        )
        .map(drop)
    }

    /// Retires every unused token of this purpose: only the newest one may ever work.
    pub fn invalidate_one_time_tokens(
        &self,
        user_id: &UserId,
        purpose: Purpose,
        now: i64,
    ) -> Result<(), DbError> {
        self.query(
            "UPDATE one_time_tokens SET used_at = $3 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL",
            &[user_id.into(), purpose.as_str().into(), Value::Int(now)],
        )
        .map(drop)
    }

    /// Marks the token used if it still was usable; `false` if another request used it first.
    pub fn consume_one_time_token(
        &self,
        hash: &str,
        purpose: Purpose,
        now: i64,
    ) -> Result<bool, DbError> {
        Ok(!self
            .query(
                "UPDATE one_time_tokens SET used_at = $3 WHERE token_hash = $1 AND purpose = $2 \
                 AND used_at IS NULL AND expires_at > $3 RETURNING token_hash",
                &[hash.into(), purpose.as_str().into(), Value::Int(now)],
            )?
            .is_empty())
    }

    pub fn set_email_verified(&self, user_id: &UserId, now: i64) -> Result<(), DbError> {
        self.query(
            "UPDATE users SET email_verified = TRUE, updated_at = $2 WHERE id = $1",
            &[user_id.into(), Value::Int(now)],
        )
        .map(drop)
    }

    /// Records the address an email-change token is for.
    pub fn set_token_new_email(&self, hash: &str, new_email: &str) -> Result<(), DbError> {
        self.query(
            "UPDATE one_time_tokens SET new_email = $2 WHERE token_hash = $1",
            &[hash.into(), new_email.into()],
        )
        .map(drop)
    }

    /// Spends an email-change token if it still was usable; the address it is for, or `None` if
    /// another request used it first.
    pub fn consume_email_change(
        &self,
        hash: &str,
        purpose: Purpose,
        now: i64,
    ) -> Result<Option<String>, DbError> {
        self.query_one(
            "UPDATE one_time_tokens SET used_at = $3 WHERE token_hash = $1 AND purpose = $2 \
             AND used_at IS NULL AND expires_at > $3 AND new_email IS NOT NULL RETURNING new_email",
            &[hash.into(), purpose.as_str().into(), Value::Int(now)],
        )?
        .map(|row| row.text(0))
        .transpose()
    }

    pub fn delete_user_tokens(&self, user_id: &UserId) -> Result<(), DbError> {
        self.query(
            "DELETE FROM one_time_tokens WHERE user_id = $1",
            &[user_id.into()],
        )
        .map(drop)
    }
}

impl Reader {
    /// Tokens of this purpose issued since `since`: what the per-account mail throttle counts.
    pub fn count_one_time_tokens_since(
        &self,
        user_id: &UserId,
        purpose: Purpose,
        since: i64,
    ) -> Result<i64, DbError> {
        self.query_one(
            "SELECT COUNT(*) FROM one_time_tokens WHERE user_id = $1 AND purpose = $2 AND created_at > $3",
            &[user_id.into(), purpose.as_str().into(), Value::Int(since)],
        )?
        .map_or(Ok(0), |row| row.int(0))
    }

    pub fn find_one_time_token(
        &self,
        hash: &str,
        purpose: Purpose,
    ) -> Result<Option<FoundOneTimeToken>, DbError> {
        self.record(
            "SELECT user_id, expires_at, used_at IS NOT NULL FROM one_time_tokens \
             WHERE token_hash = $1 AND purpose = $2",
            &[hash.into(), purpose.as_str().into()],
        )
    }

    /// Every address the user's tokens were issued for (pending email changes).
    pub fn token_addresses(&self, user_id: &UserId) -> Result<Vec<String>, DbError> {
        self.query(
            "SELECT DISTINCT new_email FROM one_time_tokens WHERE user_id = $1 \
             AND new_email IS NOT NULL",
            &[user_id.into()],
        )?
        .iter()
        .map(|row| row.text(0))
        .collect()
    }
}
