//! Storage: what the service keeps, in its own words. Queries are written once; `Db` is the seam
//! where SQLite and PostgreSQL differ.
//!
//! Which statements a caller may run follows from the handle it holds:
//! - `Reader`: plain reads, correct on their own and inside a transaction. `Store` and `Tx` both
//!   dereference to it, so a read is written once and available to both.
//! - `Store`: the request's connection. Statements that stand alone (sign-in buckets, rate
//!   windows, the outbox's delivery bookkeeping), operations that open their own transaction (token
//!   rotation, purging, migrations), and `transaction` itself.
//! - `Tx`: one open transaction, lent to the closure of `Store::transaction`: the writes that belong
//!   to the caller's unit of work (users, sessions and revocations, one-time tokens, the outbox,
//!   history) and the reads that hold rows until it ends. A `Tx` cannot begin a transaction or
//!   reach `Store`'s methods, so nesting a transaction inside another does not compile.

pub mod account_events;
pub mod accounts;
mod db;
pub mod keys;
pub mod lookups;
pub mod migrations;
pub mod one_time_tokens;
pub mod outbox;
mod postgres;
pub mod purge;
mod routine;
pub mod session_cache;
pub mod sessions;
mod sqlite;
pub mod throttle;
mod transaction;
pub mod users;

pub use db::{Db, DbError, Row, Value};
pub use transaction::Tx;

use crate::config::Database;
use std::cell::Cell;
use std::ops::Deref;

/// A row type with one decoder: every query that reads such rows goes through it.
pub trait Record: for<'r> TryFrom<&'r Row, Error = DbError> {}

impl<T: for<'r> TryFrom<&'r Row, Error = DbError>> Record for T {}

pub struct Store {
    reader: Reader,
    now: i64,
    schema_current: Cell<bool>,
    /// Set while `transaction` runs (see there).
    in_transaction: Cell<bool>,
}

/// The connection as seen through its reads; see the module documentation.
pub struct Reader {
    db: Box<dyn Db>,
}

impl Deref for Store {
    type Target = Reader;

    fn deref(&self) -> &Reader {
        &self.reader
    }
}

impl Store {
    /// Opens the configured database. The schema is checked on the first `ensure_schema`, or by a
    /// hot path's own query that reports the version alongside its data.
    pub fn open(database: &Database, now: i64) -> Result<Self, DbError> {
        let db: Box<dyn Db> = match database {
            Database::Sqlite => Box::new(sqlite::Sqlite::open()?),
            Database::Postgres(url) => Box::new(postgres::Postgres::open(url.expose())?),
        };
        Ok(Self::with_db(db, now))
    }

    fn with_db(db: Box<dyn Db>, now: i64) -> Self {
        Self {
            reader: Reader { db },
            now,
            schema_current: Cell::new(false),
            in_transaction: Cell::new(false),
        }
    }

    /// Brings the schema up to date, once per request.
    pub fn ensure_schema(&self) -> Result<(), DbError> {
        if !self.schema_current.get() {
            migrations::ensure(self, self.now)?;
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
}

impl Reader {
    fn db(&self) -> &dyn Db {
        self.db.as_ref()
    }

    fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
        self.db.query(sql, params)
    }

    /// The first row, if any.
    fn query_one(&self, sql: &str, params: &[Value]) -> Result<Option<Row>, DbError> {
        Ok(self.db.query(sql, params)?.into_iter().next())
    }

    /// The one row of a statement that always yields exactly one (see `Db::query_row`).
    fn query_row(&self, sql: &str, params: &[Value]) -> Result<Row, DbError> {
        self.db.query_row(sql, params)
    }

    /// The one row of a hot statement (see `Routine`).
    fn routine_row(&self, routine: &routine::Routine, params: &[Value]) -> Result<Row, DbError> {
        self.db.routine_row(routine, params)
    }

    /// How many rows a hot statement returned (see `Routine`).
    fn routine_count(&self, routine: &routine::Routine, params: &[Value]) -> Result<u64, DbError> {
        self.db.routine_count(routine, params)
    }

    /// Every row, each decoded by its record's decoder.
    fn records<T: Record>(&self, sql: &str, params: &[Value]) -> Result<Vec<T>, DbError> {
        self.query(sql, params)?.iter().map(T::try_from).collect()
    }

    /// The first row, if any, decoded by its record's decoder.
    fn record<T: Record>(&self, sql: &str, params: &[Value]) -> Result<Option<T>, DbError> {
        self.query_one(sql, params)?
            .as_ref()
            .map(T::try_from)
            .transpose()
    }

    /// The backend's row-locking suffix for a `SELECT` (see `Db::lock_rows`).
    fn lock_rows(&self) -> &'static str {
        self.db.lock_rows()
    }

    fn is_unique_violation(&self, error: &DbError) -> bool {
        self.db.is_unique_violation(error)
    }
}
