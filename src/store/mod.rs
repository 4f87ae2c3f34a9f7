//! Storage: what the service keeps, in its own words. Queries are written once; `Db` is the seam
//! where SQLite and PostgreSQL differ.

pub mod account_events;
pub mod accounts;
pub mod auth;
mod db;
pub mod keys;
pub mod migrations;
pub mod one_time_tokens;
pub mod outbox;
mod postgres;
pub mod purge;
pub mod session_cache;
pub mod sessions;
mod sqlite;
pub mod throttle;
pub mod users;

pub use db::{Db, DbError, Row, Value};

use crate::config::Database;
use std::cell::Cell;

pub struct Store {
    db: Box<dyn Db>,
    now: i64,
    schema_current: Cell<bool>,
}

impl Store {
    /// Opens the configured database. The schema is checked on the first `ensure_schema`, or by a
    /// hot path's own query that reports the version alongside its data.
    pub fn open(database: &Database, now: i64) -> Result<Self, DbError> {
        let db: Box<dyn Db> = match database {
            Database::Sqlite => Box::new(sqlite::Sqlite::open()?),
            Database::Postgres(url) => Box::new(postgres::Postgres::open(url.expose())?),
        };
        Ok(Self {
            db,
            now,
            schema_current: Cell::new(false),
        })
    }

    /// Brings the schema up to date, once per request.
    pub fn ensure_schema(&self) -> Result<(), DbError> {
        if !self.schema_current.get() {
            migrations::ensure(self.db.as_ref(), self.now)?;
            self.schema_current.set(true);
        }
        Ok(())
    }

    /// Accepts a schema version read by a hot path's query; `false` means migrate and ask again.
    pub fn schema_version_is_current(&self, version: Option<i64>) -> bool {
        let current = version.is_some_and(|v| v >= migrations::latest());
        if current {
            self.schema_current.set(true);
        }
        current
    }

    pub fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
        self.db.query(sql, params)
    }

    /// The first row, if any.
    pub fn query_one(&self, sql: &str, params: &[Value]) -> Result<Option<Row>, DbError> {
        Ok(self.db.query(sql, params)?.into_iter().next())
    }

    /// The backend's row-locking suffix for a `SELECT` (see `Db::lock_rows`).
    fn db_lock_rows(&self) -> &'static str {
        self.db.lock_rows()
    }

    pub fn is_unique_violation(&self, error: &DbError) -> bool {
        self.db.is_unique_violation(error)
    }

    /// Runs `work` in one write transaction: committed if it returns `Ok`, rolled back otherwise,
    /// so that no path leaves a transaction open on a pooled connection.
    pub fn transaction<T, E: From<DbError>>(
        &self,
        work: impl FnOnce(&Store) -> Result<T, E>,
    ) -> Result<T, E> {
        self.db.begin_write()?;
        match work(self) {
            Ok(value) => match self.db.query("COMMIT", &[]) {
                Ok(_) => Ok(value),
                Err(e) => {
                    self.rollback();
                    Err(e.into())
                }
            },
            Err(e) => {
                self.rollback();
                Err(e)
            }
        }
    }

    fn rollback(&self) {
        // If the rollback itself fails the connection is unusable anyway and is dropped with the request.
        let _ = self.db.query("ROLLBACK", &[]);
    }
}
