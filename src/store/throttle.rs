//! Leaky buckets for login throttling and fixed-window counters for per-address limits, shared by
//! every replica through the database. This file keeps the numbers and reports them: a bucket is
//! its empty instant, changed only by a `Step` the domain computed, in one atomic statement; a
//! window is its count. What is full, how long to wait, and what to refuse are decided by
//! `domain::lockout` and `domain::rate_limit`.

use super::{DbError, Reader, Store, Tx, Value};
use crate::domain::lockout::Step;
use crate::domain::lockout_key::{BucketKey, Subject};

/// `GREATEST(tat, now)`, written so that both backends accept it. Parameters in arithmetic are cast:
/// PostgreSQL cannot infer the type of `$3 + $4` on its own.
const FROM: &str = "CASE WHEN login_throttle.tat > CAST($3 AS BIGINT) THEN login_throttle.tat \
                    ELSE CAST($3 AS BIGINT) END";

impl Store {
    /// Applies `step` to the bucket (see `Step`) and returns its new empty instant, or `None` when
    /// the step was refused and nothing changed. Concurrent steps serialise on the row, so no more
    /// than the bucket holds ever get through.
    pub fn step_bucket(&self, bucket: &BucketKey, step: &Step) -> Result<Option<i64>, DbError> {
        self.query_one(
            &format!(
                "INSERT INTO login_throttle (subject, network, tat) VALUES ($1, $2, CAST($3 AS BIGINT) + CAST($4 AS BIGINT)) \
                 ON CONFLICT (subject, network) DO UPDATE SET tat = \
                 CASE WHEN {FROM} + CAST($4 AS BIGINT) > CAST($3 AS BIGINT) + CAST($6 AS BIGINT) \
                 THEN CAST($3 AS BIGINT) + CAST($6 AS BIGINT) ELSE {FROM} + CAST($4 AS BIGINT) END \
                 WHERE {FROM} - CAST($3 AS BIGINT) <= CAST($5 AS BIGINT) RETURNING tat"
            ),
            &[
                bucket.subject.key().into(),
                bucket.network().into(),
                Value::Int(step.now),
                Value::Int(step.step),
                Value::Int(step.admit_within),
                Value::Int(step.cap),
            ],
        )?
        .map(|row| row.int(0))
        .transpose()
    }

    /// Empties one bucket.
    pub fn empty_bucket(&self, bucket: &BucketKey) -> Result<(), DbError> {
        self.query(
            "DELETE FROM login_throttle WHERE subject = $1 AND network = $2",
            &[bucket.subject.key().into(), bucket.network().into()],
        )
        .map(drop)
    }
}

impl Reader {
    /// The bucket's empty instant; `None` if it was never used (or was purged once empty).
    pub fn bucket_empty_at(&self, bucket: &BucketKey) -> Result<Option<i64>, DbError> {
        self.query_one(
            "SELECT tat FROM login_throttle WHERE subject = $1 AND network = $2",
            &[bucket.subject.key().into(), bucket.network().into()],
        )?
        .map(|row| row.int(0))
        .transpose()
    }
}

impl Tx<'_> {
    /// Empties every bucket of these subjects, on every network.
    pub fn empty_buckets(&self, subjects: &[Subject]) -> Result<(), DbError> {
        for subject in subjects {
            self.query(
                "DELETE FROM login_throttle WHERE subject = $1",
                &[subject.key().into()],
            )?;
        }
        Ok(())
    }
}

impl Store {
    /// Counts a request in `bucket`'s current window; returns the count so far in that window.
    pub fn hit_rate_limit(&self, bucket: &str, window_start: i64) -> Result<i64, DbError> {
        self.query_row(
            "INSERT INTO rate_limits (bucket, window_start, hits) VALUES ($1, $2, 1) \
             ON CONFLICT (bucket) DO UPDATE SET \
             hits = CASE WHEN rate_limits.window_start = $2 THEN rate_limits.hits + 1 ELSE 1 END, \
             window_start = $2 \
             RETURNING hits",
            &[bucket.into(), Value::Int(window_start)],
        )?
        .int(0)
    }
}
