//! Storage: what the service keeps, in its own words. Queries are written once; `Db` is the seam
//! where SQLite and PostgreSQL differ.

mod db;
pub mod keys;
pub mod migrations;
pub mod one_time_tokens;
pub mod outbox;
mod postgres;
pub mod sessions;
mod sqlite;
pub mod throttle;
pub mod users;

pub use db::{Db, DbError, Row, Value};

use crate::config::Database;

pub struct Store {
    db: Box<dyn Db>,
}

impl Store {
    /// Opens the configured database and makes sure its schema is current.
    pub fn open(database: &Database, now: i64) -> Result<Self, DbError> {
        let db: Box<dyn Db> = match database {
            Database::Sqlite => Box::new(sqlite::Sqlite::open()?),
            Database::Postgres(url) => Box::new(postgres::Postgres::open(url.expose())?),
        };
        migrations::ensure(db.as_ref(), now)?;
        Ok(Self { db })
    }

    pub fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
        self.db.query(sql, params)
    }

    /// The first row, if any.
    pub fn query_one(&self, sql: &str, params: &[Value]) -> Result<Option<Row>, DbError> {
        Ok(self.db.query(sql, params)?.into_iter().next())
    }

    pub fn ping(&self) -> Result<(), DbError> {
        self.db.query("SELECT 1", &[]).map(drop)
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
