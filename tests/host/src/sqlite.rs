//! `fermyon:spin/sqlite@2.0.0` over a real SQLite file, as Spin's in-process implementation does it:
//! a new connection per `open`, rusqlite's 5 s busy timeout, positional parameters, and every
//! SQLite error reported as `io(message)`.

use super::HostState;
use crate::bindings::fermyon::spin::sqlite::{
    Error, Host, HostConnection, QueryResult, RowResult, Value,
};
use rusqlite::types::ValueRef;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use wasmtime::component::Resource;

#[allow(
    unreachable_pub,
    reason = "the generated bindings re-export it with `pub use`"
)]
pub struct Connection {
    path: PathBuf,
    conn: Arc<Mutex<Option<rusqlite::Connection>>>,
}

impl Host for HostState {}

impl HostConnection for HostState {
    async fn open(
        &mut self,
        database: String,
    ) -> wasmtime::Result<Result<Resource<Connection>, Error>> {
        // Spin checks the component's grant first: an unlisted label is denied whether or not it exists.
        if !self.app.manifest.sqlite_databases.contains(&database) {
            return Ok(Err(Error::AccessDenied));
        }
        if database != "default" {
            return Ok(Err(Error::NoSuchDatabase));
        }
        let connection = Connection {
            path: self.app.sqlite_path.clone(),
            conn: Arc::new(Mutex::new(None)),
        };
        Ok(Ok(self.table.push(connection)?))
    }

    async fn execute(
        &mut self,
        connection: Resource<Connection>,
        statement: String,
        parameters: Vec<Value>,
    ) -> wasmtime::Result<Result<QueryResult, Error>> {
        let Ok(connection) = self.table.get(&connection) else {
            return Ok(Err(Error::InvalidConnection));
        };
        let (path, conn) = (connection.path.clone(), connection.conn.clone());
        let result = tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .map_err(|_| Error::Io("connection poisoned".into()))?;
            if guard.is_none() {
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| Error::Io(e.to_string()))?;
                }
                *guard =
                    Some(rusqlite::Connection::open(&path).map_err(|e| Error::Io(e.to_string()))?);
            }
            let conn = guard
                .as_ref()
                .ok_or_else(|| Error::Io("no connection".into()))?;
            run(conn, &statement, parameters).map_err(|e| Error::Io(e.to_string()))
        })
        .await?;
        Ok(result)
    }

    async fn drop(&mut self, connection: Resource<Connection>) -> wasmtime::Result<()> {
        self.table.delete(connection)?;
        Ok(())
    }
}

fn run(
    conn: &rusqlite::Connection,
    statement: &str,
    parameters: Vec<Value>,
) -> rusqlite::Result<QueryResult> {
    let mut stmt = conn.prepare_cached(statement)?;
    let columns: Vec<String> = stmt.column_names().into_iter().map(str::to_owned).collect();
    let params = parameters.into_iter().map(|v| match v {
        Value::Integer(i) => rusqlite::types::Value::Integer(i),
        Value::Real(f) => rusqlite::types::Value::Real(f),
        Value::Text(s) => rusqlite::types::Value::Text(s),
        Value::Blob(b) => rusqlite::types::Value::Blob(b),
        Value::Null => rusqlite::types::Value::Null,
    });
    let count = columns.len();
    let rows = stmt
        .query_map(rusqlite::params_from_iter(params), |row| {
            let values = (0..count)
                .map(|i| {
                    Ok(match row.get_ref(i)? {
                        ValueRef::Null => Value::Null,
                        ValueRef::Integer(v) => Value::Integer(v),
                        ValueRef::Real(v) => Value::Real(v),
                        ValueRef::Text(v) => Value::Text(String::from_utf8_lossy(v).into_owned()),
                        ValueRef::Blob(v) => Value::Blob(v.to_vec()),
                    })
                })
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(RowResult { values })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(QueryResult { columns, rows })
}
