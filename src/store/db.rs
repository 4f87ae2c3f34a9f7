//! The small interface each database backend implements. Queries are written once, with `$1..$n`
//! placeholders and SQL both backends accept; a backend adapts placeholders, values and errors.

use super::routine::Routine;
use crate::domain::ids::{SessionId, UserId};
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Bool(bool),
    Text(String),
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

impl From<&UserId> for Value {
    fn from(v: &UserId) -> Self {
        Value::Text(v.as_str().to_owned())
    }
}

impl From<&SessionId> for Value {
    fn from(v: &SessionId) -> Self {
        Value::Text(v.as_str().to_owned())
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbError {
    /// The database cannot be reached or opened: a 503, worth retrying.
    Unavailable(String),
    /// Another writer holds the database longer than the busy timeout: a 503, worth retrying.
    Busy(String),
    /// A statement failed for another reason.
    Query(String),
    /// A row did not hold the type the code expects (schema drift).
    Decode(String),
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DbError::Unavailable(m) => write!(f, "database unavailable: {m}"),
            DbError::Busy(m) => write!(f, "database busy: {m}"),
            DbError::Query(m) => write!(f, "query failed: {m}"),
            DbError::Decode(m) => write!(f, "unexpected row shape: {m}"),
        }
    }
}

/// One result row; getters never panic, a wrong shape is a `DbError::Decode`.
#[derive(Debug, Clone, PartialEq)]
pub struct Row(pub Vec<Value>);

impl Row {
    fn at(&self, i: usize) -> Result<&Value, DbError> {
        self.0
            .get(i)
            .ok_or_else(|| DbError::Decode(format!("no column {i}")))
    }

    pub fn text(&self, i: usize) -> Result<String, DbError> {
        match self.at(i)? {
            Value::Text(s) => Ok(s.clone()),
            other => Err(DbError::Decode(format!(
                "column {i}: want text, got {other:?}"
            ))),
        }
    }

    /// An account's id, as the service stored it.
    pub fn user_id(&self, i: usize) -> Result<UserId, DbError> {
        self.text(i).map(UserId::trusted)
    }

    /// A session's id, as the service stored it.
    pub fn session_id(&self, i: usize) -> Result<SessionId, DbError> {
        self.text(i).map(SessionId::trusted)
    }

    pub fn opt_text(&self, i: usize) -> Result<Option<String>, DbError> {
        match self.at(i)? {
            Value::Null => Ok(None),
            _ => self.text(i).map(Some),
        }
    }

    pub fn int(&self, i: usize) -> Result<i64, DbError> {
        match self.at(i)? {
            Value::Int(v) => Ok(*v),
            other => Err(DbError::Decode(format!(
                "column {i}: want integer, got {other:?}"
            ))),
        }
    }

    pub fn opt_int(&self, i: usize) -> Result<Option<i64>, DbError> {
        match self.at(i)? {
            Value::Null => Ok(None),
            _ => self.int(i).map(Some),
        }
    }

    /// Moves the columns from `at` on into a row of their own, so that a joined row is decoded
    /// record by record, each by its own decoder.
    pub fn split_off(&mut self, at: usize) -> Result<Row, DbError> {
        if at > self.0.len() {
            return Err(DbError::Decode(format!("no column {at} to split at")));
        }
        Ok(Row(self.0.split_off(at)))
    }

    /// The record these columns hold, or `None` when its first column is NULL (an outer join that
    /// matched nothing).
    pub fn decode_present<T: super::Record>(&self) -> Result<Option<T>, DbError> {
        match self.at(0)? {
            Value::Null => Ok(None),
            _ => T::try_from(self).map(Some),
        }
    }

    /// SQLite keeps booleans as 0/1 integers, PostgreSQL as booleans: both read as `bool`.
    pub fn bool(&self, i: usize) -> Result<bool, DbError> {
        match self.at(i)? {
            Value::Bool(v) => Ok(*v),
            Value::Int(v) => Ok(*v != 0),
            other => Err(DbError::Decode(format!(
                "column {i}: want boolean, got {other:?}"
            ))),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

pub trait Db {
    /// Runs one statement and returns its rows (none for most writes without `RETURNING`).
    fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError>;

    /// Runs a statement that yields exactly one row whatever the data holds: an aggregate without
    /// `GROUP BY`, other tables outer-joined to one, or an upsert whose update has no condition.
    /// A backend may send it more cheaply than `query` (see the PostgreSQL backend).
    fn query_row(&self, sql: &str, params: &[Value]) -> Result<Row, DbError> {
        self.query(sql, params)?
            .into_iter()
            .next()
            .ok_or_else(|| DbError::Decode("a one-row statement returned no row".to_owned()))
    }

    /// Runs a hot statement that yields exactly one row (see `Routine`): as written, unless the
    /// backend runs it otherwise.
    fn routine_row(&self, routine: &Routine, params: &[Value]) -> Result<Row, DbError> {
        self.query_row(routine.sql, params)
    }

    /// Runs a hot statement and counts the rows it returned (see `Routine`): as written, unless the
    /// backend runs it otherwise.
    fn routine_count(&self, routine: &Routine, params: &[Value]) -> Result<u64, DbError> {
        let rows = self.query(routine.sql, params)?;
        Ok(u64::try_from(rows.len()).unwrap_or(u64::MAX))
    }

    /// Which SQL dialect this is: only migrations ask, since some apply to one backend alone.
    fn dialect(&self) -> Dialect;

    /// Starts a transaction that will write: SQLite must take the write lock at once
    /// (`BEGIN IMMEDIATE`) or concurrent writers fail instead of waiting.
    fn begin_write(&self) -> Result<(), DbError>;

    /// Runs once before a migration, outside any transaction (SQLite switches to WAL here, which
    /// persists in the file and lets readers proceed while a writer commits).
    fn prepare_schema_change(&self) -> Result<(), DbError>;

    /// Statement run first inside the migration transaction so that concurrent instances migrate one
    /// at a time; `None` where `begin_write` already serialises writers.
    fn migration_lock(&self) -> Option<&'static str>;

    /// Appended to a `SELECT` inside a write transaction so that the rows it reads stay locked until
    /// the transaction ends: ` FOR UPDATE` on PostgreSQL; nothing on SQLite, whose write
    /// transaction (`BEGIN IMMEDIATE`) already keeps every other writer out.
    fn lock_rows(&self) -> &'static str;

    /// Whether an error means a constraint refused a row (so the caller can report a conflict).
    fn is_unique_violation(&self, error: &DbError) -> bool;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans_read_from_either_backend_form() {
        let row = Row(vec![Value::Int(1), Value::Bool(false), Value::Int(0)]);
        assert_eq!(row.bool(0), Ok(true));
        assert_eq!(row.bool(1), Ok(false));
        assert_eq!(row.bool(2), Ok(false));
    }

    #[test]
    fn wrong_shapes_are_errors_not_panics() {
        let row = Row(vec![Value::Null, Value::Text("x".into())]);
        assert_eq!(row.opt_text(0), Ok(None));
        assert_eq!(row.opt_int(0), Ok(None));
        assert!(row.int(1).is_err());
        assert!(row.text(0).is_err());
        assert!(row.text(7).is_err());
    }

    #[test]
    fn a_joined_row_splits_into_its_records() {
        let mut row = Row(vec![Value::Int(1), Value::Null, Value::Text("k".into())]);
        let key = row.split_off(2).ok();
        let missing = row.split_off(1).ok();
        assert_eq!(row, Row(vec![Value::Int(1)]));
        assert_eq!(key, Some(Row(vec![Value::Text("k".into())])));
        assert_eq!(missing.map(|r| r.opt_text(0)), Some(Ok(None)));
        assert!(row.split_off(5).is_err());
    }
}
