//! The floor under every endpoint that touches the database: what the host spends on one database
//! access before any of the component's own work, measured natively with the drivers the test host
//! uses, the way Spin accesses the database for each request.

use crate::host::postgres::CLEAN;
use std::path::Path;
use std::time::{Duration, Instant};

/// The one-row lookup each access makes: an indexed read of the sessions table, as `/verify` does.
const LOOKUP: &str = "SELECT COUNT(*) FROM sessions WHERE id = $1";

/// SQLite: a new connection, the lookup (its first statement reads the schema), the connection
/// closed. Microseconds per access, one thread, nothing else running.
pub fn sqlite(path: &Path, duration: Duration) -> anyhow::Result<f64> {
    let sql = LOOKUP.replace('$', "?");
    let start = Instant::now();
    let mut count = 0u32;
    while start.elapsed() < duration {
        let conn = rusqlite::Connection::open(path)?;
        conn.query_row(&sql, ["none"], |row| row.get::<_, i64>(0))?;
        drop(conn);
        count += 1;
    }
    Ok(start.elapsed().as_secs_f64() * 1e6 / f64::from(count.max(1)))
}

/// PostgreSQL: a pooled connection cleaned for reuse, then the lookup (prepare and execute).
/// Microseconds per access of wall time, server included, one connection.
pub async fn postgres(url: &str, duration: Duration) -> anyhow::Result<f64> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
    let task = tokio::spawn(connection);
    let start = Instant::now();
    let mut count = 0u32;
    while start.elapsed() < duration {
        client.batch_execute(CLEAN).await?;
        client.query(LOOKUP, &[&"none"]).await?;
        count += 1;
    }
    let elapsed = start.elapsed();
    drop(client);
    let _ = task.await;
    Ok(elapsed.as_secs_f64() * 1e6 / f64::from(count.max(1)))
}
