//! Leaky buckets for login throttling and fixed-window counters for per-address limits, shared by
//! every replica through the database. The rules (sizes, rates, what is full) are the caller's;
//! this file only keeps the numbers and makes each check-and-reserve one atomic statement.

use super::{DbError, Store, Value};

/// `GREATEST(tat, now)`, written so that both backends accept it. Parameters in arithmetic are cast:
/// PostgreSQL cannot infer the type of `$3 + $4` on its own.
const FROM: &str = "CASE WHEN login_throttle.tat > CAST($3 AS BIGINT) THEN login_throttle.tat \
                    ELSE CAST($3 AS BIGINT) END";

impl Store {
    /// Reserves one attempt in the bucket `(subject, network)` if its empty instant is at most
    /// `limit` seconds ahead of `now`, moving it `interval` further. Returns the new empty instant,
    /// or `None` when the bucket was too full (nothing changed). Concurrent reservations serialise
    /// on the row, so no more than the bucket holds ever get through.
    pub fn reserve_in_bucket(
        &self,
        subject: &str,
        network: &str,
        now: i64,
        interval: i64,
        limit: i64,
    ) -> Result<Option<i64>, DbError> {
        self.query_one(
            &format!(
                "INSERT INTO login_throttle (subject, network, tat) VALUES ($1, $2, CAST($3 AS BIGINT) + CAST($4 AS BIGINT)) \
                 ON CONFLICT (subject, network) DO UPDATE SET tat = {FROM} + CAST($4 AS BIGINT) \
                 WHERE {FROM} - CAST($3 AS BIGINT) <= CAST($5 AS BIGINT) RETURNING tat"
            ),
            &[
                subject.into(),
                network.into(),
                Value::Int(now),
                Value::Int(interval),
                Value::Int(limit),
            ],
        )?
        .map(|row| row.int(0))
        .transpose()
    }

    /// Adds one to the bucket unconditionally, never beyond `now + full_span`.
    pub fn add_to_bucket(
        &self,
        subject: &str,
        network: &str,
        now: i64,
        interval: i64,
        full_span: i64,
    ) -> Result<(), DbError> {
        self.query(
            &format!(
                "INSERT INTO login_throttle (subject, network, tat) VALUES ($1, $2, CAST($3 AS BIGINT) + CAST($4 AS BIGINT)) \
                 ON CONFLICT (subject, network) DO UPDATE SET tat = \
                 CASE WHEN {FROM} + CAST($4 AS BIGINT) > CAST($3 AS BIGINT) + CAST($5 AS BIGINT) \
                 THEN CAST($3 AS BIGINT) + CAST($5 AS BIGINT) ELSE {FROM} + CAST($4 AS BIGINT) END"
            ),
            &[
                subject.into(),
                network.into(),
                Value::Int(now),
                Value::Int(interval),
                Value::Int(full_span),
            ],
        )
        .map(drop)
    }

    /// The bucket's empty instant; `None` if it was never used (or was purged once empty).
    pub fn bucket_empty_at(&self, subject: &str, network: &str) -> Result<Option<i64>, DbError> {
        self.query_one(
            "SELECT tat FROM login_throttle WHERE subject = $1 AND network = $2",
            &[subject.into(), network.into()],
        )?
        .map(|row| row.int(0))
        .transpose()
    }

    /// Empties one bucket.
    pub fn empty_bucket(&self, subject: &str, network: &str) -> Result<(), DbError> {
        self.query(
            "DELETE FROM login_throttle WHERE subject = $1 AND network = $2",
            &[subject.into(), network.into()],
        )
        .map(drop)
    }

    /// Empties every bucket of these subjects, on every network.
    pub fn empty_buckets(&self, subjects: &[String]) -> Result<(), DbError> {
        for subject in subjects {
            self.query(
                "DELETE FROM login_throttle WHERE subject = $1",
                &[subject.as_str().into()],
            )?;
        }
        Ok(())
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
