//! The floor under every endpoint that touches the database: how many database accesses per second
//! this machine can make at all, natively, with the drivers the test host uses and the way Spin
//! accesses the database for each request, from as many concurrent workers as the load generator
//! has connections. A route that does the empty component's work plus one such access needs the
//! machine time of both, so its rate cannot pass `1 / (1 / baseline + 1 / floor)`.

use crate::host::postgres::CLEAN;
use std::path::Path;
use std::time::{Duration, Instant};

/// The one-row lookup each access makes: an indexed read of the sessions table, as `/verify` does.
const LOOKUP: &str = "SELECT COUNT(*) FROM sessions WHERE id = $1";

/// SQLite: a new connection, the lookup (its first statement reads the schema), the connection
/// closed. Accesses per second over all workers.
pub fn sqlite(path: &Path, workers: usize, duration: Duration) -> anyhow::Result<f64> {
    let sql = LOOKUP.replace('$', "?");
    let start = Instant::now();
    let counts = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| -> anyhow::Result<u64> {
                    let mut count = 0;
                    while start.elapsed() < duration {
                        let conn = rusqlite::Connection::open(path)?;
                        conn.busy_timeout(Duration::from_secs(5))?;
                        conn.query_row(&sql, ["none"], |row| row.get::<_, i64>(0))?;
                        drop(conn);
                        count += 1;
                    }
                    Ok(count)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .map_err(|_| anyhow::anyhow!("a floor worker panicked"))?
            })
            .collect::<anyhow::Result<Vec<u64>>>()
    })?;
    Ok(rate(counts.iter().sum(), start.elapsed()))
}

/// PostgreSQL: a pooled connection cleaned for reuse, then the lookup (prepare and execute), on
/// one server connection per worker. Accesses per second over all workers, server work included
/// (it runs on the same machine).
pub async fn postgres(url: &str, workers: usize, duration: Duration) -> anyhow::Result<f64> {
    let mut clients = Vec::with_capacity(workers);
    for _ in 0..workers {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
        clients.push((client, tokio::spawn(connection)));
    }
    let start = Instant::now();
    let tasks: Vec<_> = clients
        .into_iter()
        .map(|(client, connection)| {
            tokio::spawn(async move {
                let mut count = 0u64;
                while start.elapsed() < duration {
                    client.batch_execute(CLEAN).await?;
                    client.query(LOOKUP, &[&"none"]).await?;
                    count += 1;
                }
                drop(client);
                let _ = connection.await;
                Ok::<u64, anyhow::Error>(count)
            })
        })
        .collect();
    let mut total = 0;
    for task in tasks {
        total += task.await??;
    }
    Ok(rate(total, start.elapsed()))
}

fn rate(count: u64, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64().max(f64::EPSILON)
}
