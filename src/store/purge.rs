//! Deleting rows past their use, in bounded batches: each call deletes at most `batch` rows per
//! table, so a purge never holds a long lock; a backlog shrinks over successive drains.

use super::{DbError, Reader, Store, Value};
use crate::domain::ids::SessionId;
use crate::domain::retention::Cutoffs;

/// Rows deleted, per table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub login_buckets: usize,
    pub rate_limits: usize,
    pub sessions: usize,
    pub refresh_tokens: usize,
    pub one_time_tokens: usize,
    pub outbox: usize,
    pub account_events: usize,
}

const ENDED_SESSIONS: &str = "SELECT id FROM sessions WHERE expires_at < $1 OR revoked_at < $1 \
                              ORDER BY id LIMIT $2";

impl Reader {
    /// The sessions the next purge deletes first.
    pub fn ended_sessions(&self, before: i64, batch: i64) -> Result<Vec<SessionId>, DbError> {
        self.query(ENDED_SESSIONS, &[Value::Int(before), Value::Int(batch)])?
            .iter()
            .map(|row| row.session_id(0))
            .collect()
    }
}

impl Store {
    pub fn purge(&self, cutoffs: &Cutoffs, batch: i64) -> Result<Purged, DbError> {
        let run = |sql: &str, before: i64| -> Result<usize, DbError> {
            Ok(self
                .query(sql, &[Value::Int(before), Value::Int(batch)])?
                .len())
        };
        let login_buckets = run(
            "DELETE FROM login_throttle WHERE (subject, network) IN (SELECT subject, network \
             FROM login_throttle WHERE tat < $1 LIMIT $2) RETURNING tat",
            cutoffs.bucket_empty_before,
        )?;
        let oldest = |table: &str, key: &str, past_use: &str, before: i64| {
            run(
                &format!(
                    "DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM {table} \
                     WHERE {past_use} LIMIT $2) RETURNING {key}"
                ),
                before,
            )
        };
        let rate_limits = oldest(
            "rate_limits",
            "bucket",
            "window_start < $1",
            cutoffs.window_started_before,
        )?;
        // A session's tokens go with it, in the same transaction: no token outlives its session.
        let (refresh_tokens, sessions) = self.transaction(|tx| {
            let tokens = tx
                .query(
                    &format!(
                        "DELETE FROM refresh_tokens WHERE session_id IN ({ENDED_SESSIONS}) \
                         RETURNING token_hash"
                    ),
                    &[Value::Int(cutoffs.session_ended_before), Value::Int(batch)],
                )?
                .len();
            let sessions = tx
                .query(
                    &format!("DELETE FROM sessions WHERE id IN ({ENDED_SESSIONS}) RETURNING id"),
                    &[Value::Int(cutoffs.session_ended_before), Value::Int(batch)],
                )?
                .len();
            Ok::<_, DbError>((tokens, sessions))
        })?;
        let one_time_tokens = oldest(
            "one_time_tokens",
            "token_hash",
            "created_at < $1 AND (used_at IS NOT NULL OR expires_at < $1)",
            cutoffs.token_created_before,
        )?;
        let outbox = oldest(
            "outbox",
            "id",
            "state = 'delivered' AND delivered_at < $1",
            cutoffs.delivered_before,
        )?;
        let account_events = oldest(
            "account_events",
            "id",
            "created_at < $1",
            cutoffs.account_event_before,
        )?;
        Ok(Purged {
            login_buckets,
            rate_limits,
            sessions,
            refresh_tokens,
            one_time_tokens,
            outbox,
            account_events,
        })
    }
}
