//! Spin's PostgreSQL interface (`spin:postgres/postgres@3.0.0`, present in every Spin 3.x and 4.x).

mod spin_3671;

use super::db::{Db, DbError, Dialect, Row, Value};
use super::routine::Routine;
use spin_3671::Send;
use spin_sdk::pg3::{Connection, DbValue, ParameterValue, PgError as Error};

pub struct Postgres {
    conn: Connection,
}

impl Postgres {
    pub fn open(url: &str) -> Result<Self, DbError> {
        let conn = Connection::open(url).map_err(|e| map_error(&e))?;
        Ok(Self { conn })
    }
}

impl Db for Postgres {
    fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
        let params: Vec<ParameterValue> = params.iter().map(to_pg).collect();
        let padded = match spin_3671::plan(sql) {
            Send::Execute => {
                self.conn.execute(sql, &params).map_err(|e| map_error(&e))?;
                return Ok(Vec::new());
            }
            Send::Padded(padded) => padded,
        };
        let rows = self
            .conn
            .query(&padded, &params)
            .map_err(|e| map_error(&e))?;
        spin_3671::strip(rows.rows, |v| matches!(v, DbValue::DbNull))
            .into_iter()
            .map(decode_row)
            .collect()
    }

    /// Never zero rows, so sent as written: the padding costs PostgreSQL a window function, a sort
    /// and a second plan on the hot paths' lookups.
    fn query_row(&self, sql: &str, params: &[Value]) -> Result<Row, DbError> {
        let params: Vec<ParameterValue> = params.iter().map(to_pg).collect();
        let rows = self.conn.query(sql, &params).map_err(|e| map_error(&e))?;
        rows.rows
            .into_iter()
            .next()
            .map(decode_row)
            .ok_or_else(|| DbError::Decode("a one-row statement returned no row".to_owned()))?
    }

    fn routine_row(&self, routine: &Routine, params: &[Value]) -> Result<Row, DbError> {
        self.query_row(routine.call, params)
    }

    fn routine_count(&self, routine: &Routine, params: &[Value]) -> Result<u64, DbError> {
        let count = self.query_row(routine.call, params)?.int(0)?;
        u64::try_from(count).map_err(|_| DbError::Decode(format!("a count of {count}")))
    }

    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn begin_write(&self) -> Result<(), DbError> {
        self.query("BEGIN", &[]).map(drop)
    }

    fn prepare_schema_change(&self) -> Result<(), DbError> {
        Ok(())
    }

    fn migration_lock(&self) -> Option<&'static str> {
        // Transaction-scoped, so the lock ends with the transaction even on a pooled connection.
        Some("SELECT 1 FROM pg_advisory_xact_lock(7316210455306123011)")
    }

    fn lock_rows(&self) -> &'static str {
        " FOR UPDATE"
    }

    fn is_unique_violation(&self, error: &DbError) -> bool {
        matches!(error, DbError::Query(m) if m.contains("23505") || m.contains("duplicate key"))
    }
}

fn decode_row(row: Vec<DbValue>) -> Result<Row, DbError> {
    row.into_iter()
        .map(from_pg)
        .collect::<Result<Vec<_>, _>>()
        .map(Row)
}

fn to_pg(value: &Value) -> ParameterValue {
    match value {
        Value::Null => ParameterValue::DbNull,
        Value::Int(v) => ParameterValue::Int64(*v),
        Value::Bool(v) => ParameterValue::Boolean(*v),
        Value::Text(v) => ParameterValue::Str(v.clone()),
    }
}

fn from_pg(value: DbValue) -> Result<Value, DbError> {
    Ok(match value {
        DbValue::DbNull => Value::Null,
        DbValue::Boolean(v) => Value::Bool(v),
        DbValue::Int8(v) => Value::Int(v.into()),
        DbValue::Int16(v) => Value::Int(v.into()),
        DbValue::Int32(v) => Value::Int(v.into()),
        DbValue::Int64(v) => Value::Int(v),
        DbValue::Str(v) => Value::Text(v),
        other => {
            return Err(DbError::Decode(format!(
                "unexpected PostgreSQL value {other:?}"
            )));
        }
    })
}

fn map_error(error: &Error) -> DbError {
    match error {
        Error::ConnectionFailed(m) => DbError::Unavailable(m.clone()),
        Error::QueryFailed(m) => DbError::Query(m.clone()),
        Error::BadParameter(m) | Error::ValueConversionFailed(m) | Error::Other(m) => {
            DbError::Query(m.clone())
        }
    }
}
