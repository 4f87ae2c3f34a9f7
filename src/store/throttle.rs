use super::{DbError, Store, Value};
use crate::domain::lockout;

impl Store {
    pub fn login_failures(&self, account_key: &str) -> Result<lockout::State, DbError> {
        self.query_one(
            "SELECT failures, locked_until FROM login_failures WHERE account_key = $1",
            &[account_key.into()],
        )?
        .map_or(Ok(lockout::State::default()), |row| {
            Ok(lockout::State {
                failures: u32::try_from(row.int(0)?).unwrap_or(u32::MAX),
                locked_until: row.opt_int(1)?,
            })
        })
    }

    /// Counts one more consecutive failure and stores the lock the rules give for the new count.
    pub fn record_login_failure(
        &self,
        account_key: &str,
        now: i64,
    ) -> Result<lockout::State, DbError> {
        self.transaction(|tx| {
            let row = tx
                .query_one(
                    "INSERT INTO login_failures (account_key, failures, updated_at) VALUES ($1, 1, $2) \
                     ON CONFLICT (account_key) DO UPDATE SET failures = login_failures.failures + 1, updated_at = $2 \
                     RETURNING failures",
                    &[account_key.into(), Value::Int(now)],
                )?
                .ok_or_else(|| DbError::Query("failure count not returned".to_owned()))?;
            let failures = u32::try_from(row.int(0)?).unwrap_or(u32::MAX);
            let locked_until = lockout::locked_until_after(failures, now);
            tx.query(
                "UPDATE login_failures SET locked_until = $2 WHERE account_key = $1",
                &[account_key.into(), Value::from(locked_until)],
            )?;
            Ok(lockout::State { failures, locked_until })
        })
    }

    pub fn clear_login_failures(&self, account_key: &str) -> Result<(), DbError> {
        self.query(
            "DELETE FROM login_failures WHERE account_key = $1",
            &[account_key.into()],
        )
        .map(drop)
    }

    /// Counts a request in `bucket`'s current window; returns the count so far in that window.
    pub fn hit_rate_limit(&self, bucket: &str, window_start: i64) -> Result<i64, DbError> {
        self.query_one(
            "INSERT INTO rate_limits (bucket, window_start, hits) VALUES ($1, $2, 1) \
             ON CONFLICT (bucket) DO UPDATE SET \
             hits = CASE WHEN rate_limits.window_start = $2 THEN rate_limits.hits + 1 ELSE 1 END, \
             window_start = $2 \
             RETURNING hits",
            &[bucket.into(), Value::Int(window_start)],
        )?
        .map_or(Ok(1), |row| row.int(0))
    }
}
