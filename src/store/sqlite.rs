//! Spin's SQLite interface (`fermyon:spin/sqlite@2.0.0`, present in every Spin 3.x and 4.x).

use super::db::{Db, DbError, Dialect, Row, Value};
use spin_sdk::sqlite::{Connection, Error, Value as SqlValue};
use std::cell::Cell;

pub struct Sqlite {
    conn: Connection,
    /// Whether this connection was set up for writing (see `prepare_for_writes`).
    writes_prepared: Cell<bool>,
}

impl Sqlite {
    pub fn open() -> Result<Self, DbError> {
        let conn = Connection::open_default().map_err(|e| map_error(&e))?;
        Ok(Self {
            conn,
            writes_prepared: Cell::new(false),
        })
    }

    /// Before the first write of a connection (which lasts one request):
    /// - a long busy timeout: SQLite has one writer at a time, and a writer's transaction spans
    ///   several host calls, between which its instance may wait for a CPU (Spin runs instances on a
    ///   few threads, and a password hash keeps one busy for tens of milliseconds). Waiting is right;
    ///   giving up after the host's 5 s would turn load into errors.
    /// - `synchronous = NORMAL`: in WAL mode the database stays consistent on a crash, and commits
    ///   skip an fsync each (the last commits before a power loss may be lost).
    fn prepare_for_writes(&self) -> Result<(), DbError> {
        self.execute_raw("PRAGMA busy_timeout = 30000", &[])?;
        self.execute_raw("PRAGMA synchronous = NORMAL", &[])?;
        self.writes_prepared.set(true);
        Ok(())
    }

    fn execute_raw(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
        let params: Vec<SqlValue> = params.iter().map(to_sqlite).collect();
        let result = self
            .conn
            .execute(&numbered_placeholders(sql), &params)
            .map_err(|e| map_error(&e))?;
        Ok(result
            .rows
            .into_iter()
            .map(|row| Row(row.values.into_iter().map(from_sqlite).collect()))
            .collect())
    }
}

impl Db for Sqlite {
    fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
        if !self.writes_prepared.get() && is_write(sql) {
            self.prepare_for_writes()?;
        }
        self.execute_raw(sql, params)
    }

    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn begin_write(&self) -> Result<(), DbError> {
        self.query("BEGIN IMMEDIATE", &[]).map(drop)
    }

    fn prepare_schema_change(&self) -> Result<(), DbError> {
        // Best effort: hosts that keep the database elsewhere may refuse the pragma.
        let _ = self.query("PRAGMA journal_mode=WAL", &[]);
        Ok(())
    }

    fn migration_lock(&self) -> Option<&'static str> {
        None
    }

    fn lock_rows(&self) -> &'static str {
        ""
    }

    fn is_unique_violation(&self, error: &DbError) -> bool {
        matches!(error, DbError::Query(m) if m.contains("UNIQUE constraint failed"))
    }
}

/// Statements that take the write lock.
fn is_write(sql: &str) -> bool {
    let keyword = sql.split_whitespace().next().unwrap_or_default();
    ["INSERT", "UPDATE", "DELETE", "BEGIN"]
        .iter()
        .any(|k| keyword.eq_ignore_ascii_case(k))
}

/// `$1` is a named parameter to SQLite, bound by order of first appearance; `?1` is bound by number,
/// which is what `$1` means to PostgreSQL. Rewriting keeps one query text for both.
fn numbered_placeholders(sql: &str) -> String {
    sql.replace('$', "?")
}

fn to_sqlite(value: &Value) -> SqlValue {
    match value {
        Value::Null => SqlValue::Null,
        Value::Int(v) => SqlValue::Integer(*v),
        Value::Bool(v) => SqlValue::Integer(i64::from(*v)),
        Value::Text(v) => SqlValue::Text(v.clone()),
    }
}

fn from_sqlite(value: SqlValue) -> Value {
    match value {
        SqlValue::Null => Value::Null,
        SqlValue::Integer(v) => Value::Int(v),
        // The schema has no REAL or BLOB columns; keep them readable as text rather than fail.
        SqlValue::Real(v) => Value::Text(v.to_string()),
        SqlValue::Text(v) => Value::Text(v),
        SqlValue::Blob(v) => Value::Text(String::from_utf8_lossy(&v).into_owned()),
    }
}

fn map_error(error: &Error) -> DbError {
    match error {
        Error::Io(message)
            if message.contains("database is locked") || message.contains("busy") =>
        {
            DbError::Busy(message.clone())
        }
        Error::Io(message) if message.contains("unable to open") => {
            DbError::Unavailable(message.clone())
        }
        Error::Io(message) => DbError::Query(message.clone()),
        Error::NoSuchDatabase | Error::AccessDenied | Error::InvalidConnection => {
            DbError::Unavailable(format!("{error:?}"))
        }
        Error::DatabaseFull => DbError::Unavailable("database full".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_numbered_question_marks() {
        assert_eq!(
            numbered_placeholders("SELECT a FROM t WHERE b = $2 AND c = $1 OR d = $2"),
            "SELECT a FROM t WHERE b = ?2 AND c = ?1 OR d = ?2"
        );
    }

    #[test]
    fn recognises_statements_that_write() {
        assert!(is_write("INSERT INTO t VALUES (1)"));
        assert!(is_write("  update t SET x = 1"));
        assert!(is_write("BEGIN IMMEDIATE"));
        assert!(!is_write("SELECT 1"));
        assert!(!is_write("PRAGMA journal_mode=WAL"));
        assert!(!is_write("COMMIT"));
    }

    #[test]
    fn locked_databases_are_busy_not_failures() {
        let e = map_error(&Error::Io("database is locked".into()));
        assert!(matches!(e, DbError::Busy(_)));
        let e = map_error(&Error::AccessDenied);
        assert!(matches!(e, DbError::Unavailable(_)));
    }
}
