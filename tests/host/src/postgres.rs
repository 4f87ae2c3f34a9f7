//! `spin:postgres/postgres@3.0.0` over a real PostgreSQL server, as Spin does it: the address must be
//! allowed by `allowed_outbound_hosts`, each guest connection holds one pooled server connection for
//! its lifetime, the pool cleans connections on return, values map as in Spin's v3 conversions, and
//! errors carry the driver's message.

use super::HostState;
use crate::bindings::spin::postgres::postgres::{
    Column, DbDataType, DbValue, Error, Host, HostConnection, ParameterValue, RowSet,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio_postgres::types::{ToSql, Type};
use wasmtime::component::Resource;

/// What deadpool's `RecyclingMethod::Clean` runs before a connection is reused.
pub const CLEAN: &str = "CLOSE ALL; SET SESSION AUTHORIZATION DEFAULT; RESET ALL; UNLISTEN *; \
                     SELECT pg_advisory_unlock_all(); DISCARD TEMP; DISCARD SEQUENCES;";

#[derive(Default)]
pub(crate) struct Pool {
    idle: Mutex<HashMap<String, Vec<tokio_postgres::Client>>>,
}

#[allow(
    unreachable_pub,
    reason = "the generated bindings re-export it with `pub use`"
)]
pub struct Connection {
    address: String,
    client: Option<tokio_postgres::Client>,
    pool: Arc<Pool>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        if let Some(client) = self.client.take()
            && !client.is_closed()
            && let Ok(mut idle) = self.pool.idle.lock()
        {
            idle.entry(self.address.clone()).or_default().push(client);
        }
    }
}

impl Pool {
    async fn get(
        &self,
        address: &str,
        config: &tokio_postgres::Config,
    ) -> Result<tokio_postgres::Client, Error> {
        loop {
            let candidate = self
                .idle
                .lock()
                .ok()
                .and_then(|mut idle| idle.get_mut(address).and_then(Vec::pop));
            let Some(client) = candidate else { break };
            if client.batch_execute(CLEAN).await.is_ok() {
                return Ok(client);
            }
        }
        let (client, connection) = config
            .connect(tokio_postgres::NoTls)
            .await
            .map_err(|e| Error::ConnectionFailed(format!("{e:?}")))?;
        tokio::spawn(connection);
        Ok(client)
    }
}

impl Host for HostState {}

impl HostState {
    async fn run_query(
        &mut self,
        connection: &Resource<Connection>,
        statement: &str,
        params: Vec<ParameterValue>,
    ) -> Result<RowSet, Error> {
        let client = self.pg_client(connection)?;
        let params = to_sql(params)?;
        let rows = client
            .query(statement, &refs(&params))
            .await
            .map_err(query_failed)?;
        // Spin infers columns from the first row: no rows, no columns.
        let columns = rows
            .first()
            .map(|row| {
                row.columns()
                    .iter()
                    .map(|c| Column {
                        name: c.name().to_owned(),
                        data_type: data_type(c.type_()),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let values = row
                .columns()
                .iter()
                .enumerate()
                .map(|(i, column)| value(row, i, column.type_()))
                .collect::<Result<Vec<_>, _>>()
                .map_err(query_failed)?;
            out.push(values);
        }
        Ok(RowSet { columns, rows: out })
    }

    fn pg_client(
        &self,
        connection: &Resource<Connection>,
    ) -> Result<&tokio_postgres::Client, Error> {
        self.table
            .get(connection)
            .ok()
            .and_then(|c| c.client.as_ref())
            .ok_or_else(|| Error::ConnectionFailed("no connection found".into()))
    }
}

impl HostConnection for HostState {
    async fn open(
        &mut self,
        address: String,
    ) -> wasmtime::Result<Result<Resource<Connection>, Error>> {
        let config: tokio_postgres::Config = match address.parse() {
            Ok(config) => config,
            Err(e) => return Ok(Err(Error::ConnectionFailed(e.to_string()))),
        };
        for (host, port) in config.get_hosts().iter().zip(ports(&config)) {
            let tokio_postgres::config::Host::Tcp(host) = host else {
                return Ok(Err(Error::ConnectionFailed(
                    "Unix sockets are not supported on WebAssembly".into(),
                )));
            };
            let url = format!("postgres://{host}:{port}");
            if !self.app.allowed.permits(&url) {
                return Ok(Err(Error::ConnectionFailed(format!(
                    "address {url} is not permitted"
                ))));
            }
        }
        // Spin verifies the server certificate; the local test server's is self-signed, so (as with Spin)
        // only `sslmode=disable` can connect to it.
        if config.get_ssl_mode() != tokio_postgres::config::SslMode::Disable {
            return Ok(Err(Error::ConnectionFailed(
                "TLS negotiation failed: server certificate not trusted (use ?sslmode=disable)"
                    .into(),
            )));
        }
        let client = match self.app.pg_pool.get(&address, &config).await {
            Ok(client) => client,
            Err(e) => return Ok(Err(e)),
        };
        let connection = Connection {
            address,
            client: Some(client),
            pool: self.app.pg_pool.clone(),
        };
        Ok(Ok(self.table.push(connection)?))
    }

    async fn query(
        &mut self,
        connection: Resource<Connection>,
        statement: String,
        params: Vec<ParameterValue>,
    ) -> wasmtime::Result<Result<RowSet, Error>> {
        Ok(self.run_query(&connection, &statement, params).await)
    }

    async fn execute(
        &mut self,
        connection: Resource<Connection>,
        statement: String,
        params: Vec<ParameterValue>,
    ) -> wasmtime::Result<Result<u64, Error>> {
        let Ok(client) = self.pg_client(&connection) else {
            return Ok(Err(Error::ConnectionFailed("no connection found".into())));
        };
        Ok(match to_sql(params) {
            Ok(params) => client
                .execute(statement.as_str(), &refs(&params))
                .await
                .map_err(query_failed),
            Err(e) => Err(e),
        })
    }

    async fn drop(&mut self, connection: Resource<Connection>) -> wasmtime::Result<()> {
        self.table.delete(connection)?;
        Ok(())
    }
}

/// NULL for a parameter of any type, as Spin binds `db-null`.
#[derive(Debug)]
struct PgNull;

impl ToSql for PgNull {
    fn to_sql(
        &self,
        _: &Type,
        _: &mut bytes::BytesMut,
    ) -> Result<tokio_postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        Ok(tokio_postgres::types::IsNull::Yes)
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    tokio_postgres::types::to_sql_checked!();
}

fn query_failed(e: tokio_postgres::Error) -> Error {
    Error::QueryFailed(format!("{e:?}"))
}

type Params = Vec<Box<dyn ToSql + Sync + Send>>;

fn refs(params: &Params) -> Vec<&(dyn ToSql + Sync)> {
    params
        .iter()
        .map(|p| p.as_ref() as &(dyn ToSql + Sync))
        .collect()
}

fn ports(config: &tokio_postgres::Config) -> Vec<u16> {
    let hosts = config.get_hosts().len();
    match config.get_ports() {
        [] => vec![5432; hosts],
        [one] => vec![*one; hosts],
        many => many.to_vec(),
    }
}

fn to_sql(params: Vec<ParameterValue>) -> Result<Params, Error> {
    params
        .into_iter()
        .map(|p| -> Result<Box<dyn ToSql + Sync + Send>, Error> {
            Ok(match p {
                ParameterValue::Boolean(v) => Box::new(v),
                ParameterValue::Int8(v) => Box::new(v),
                ParameterValue::Int16(v) => Box::new(v),
                ParameterValue::Int32(v) => Box::new(v),
                ParameterValue::Int64(v) => Box::new(v),
                ParameterValue::Floating32(v) => Box::new(v),
                ParameterValue::Floating64(v) => Box::new(v),
                ParameterValue::Str(v) => Box::new(v),
                ParameterValue::Binary(v) => Box::new(v),
                ParameterValue::DbNull => Box::new(PgNull),
                other => {
                    return Err(Error::BadParameter(format!(
                        "date and time parameters are not implemented by the test host: {other:?}"
                    )));
                }
            })
        })
        .collect()
}

fn data_type(ty: &Type) -> DbDataType {
    match *ty {
        Type::BOOL => DbDataType::Boolean,
        Type::CHAR => DbDataType::Int8,
        Type::INT2 => DbDataType::Int16,
        Type::INT4 => DbDataType::Int32,
        Type::INT8 => DbDataType::Int64,
        Type::FLOAT4 => DbDataType::Floating32,
        Type::FLOAT8 => DbDataType::Floating64,
        Type::TEXT | Type::VARCHAR | Type::BPCHAR => DbDataType::Str,
        Type::BYTEA => DbDataType::Binary,
        _ => DbDataType::Other,
    }
}

fn value(row: &tokio_postgres::Row, i: usize, ty: &Type) -> Result<DbValue, tokio_postgres::Error> {
    fn opt<T>(v: Option<T>, f: impl FnOnce(T) -> DbValue) -> DbValue {
        v.map_or(DbValue::DbNull, f)
    }
    Ok(match *ty {
        Type::BOOL => opt(row.try_get(i)?, DbValue::Boolean),
        Type::CHAR => opt(row.try_get(i)?, DbValue::Int8),
        Type::INT2 => opt(row.try_get(i)?, DbValue::Int16),
        Type::INT4 => opt(row.try_get(i)?, DbValue::Int32),
        Type::INT8 => opt(row.try_get(i)?, DbValue::Int64),
        Type::FLOAT4 => opt(row.try_get(i)?, DbValue::Floating32),
        Type::FLOAT8 => opt(row.try_get(i)?, DbValue::Floating64),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR => opt(row.try_get(i)?, DbValue::Str),
        Type::BYTEA => opt(row.try_get(i)?, DbValue::Binary),
        _ => DbValue::Unsupported,
    })
}
