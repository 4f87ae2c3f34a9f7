//! The floors under the endpoints that touch the database: how many database accesses per second
//! this machine can make at all, natively, with the drivers the test host uses and the way Spin
//! accesses the database for each request, from as many concurrent workers as the load generator
//! has connections. A route that does the empty component's work plus such an access needs the
//! machine time of both, so its rate cannot pass `1 / (1 / baseline + 1 / floor)`.

use auth_test_host::POSTGRES_CLEAN as CLEAN;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

/// The one-row lookup each access makes: an indexed read of the sessions table, as `/verify` does.
const LOOKUP: &str = "SELECT COUNT(*) FROM sessions WHERE id = $1";
/// The least a rotation writes: one row in a table of the floor's own, in its own transaction.
const CREATE: &str = "CREATE TABLE IF NOT EXISTS bench_floor (id BIGINT PRIMARY KEY, note TEXT)";
const INSERT: &str = "INSERT INTO bench_floor (id, note) VALUES ($1, 'x')";

/// What each access does after opening its connection.
#[derive(Clone, Copy)]
pub enum Access {
    /// The lookup, as `/verify` and `/health` make one.
    Read,
    /// The lookup, then a write transaction, as `/token/refresh` makes at least.
    ReadWrite,
}

/// SQLite: a new connection, the lookup (its first statement reads the schema), for `ReadWrite`
/// the pragmas the component sets before writing and one insert in `BEGIN IMMEDIATE`, the
/// connection closed. Accesses per second over all workers.
pub fn sqlite(
    path: &Path,
    access: Access,
    workers: usize,
    duration: Duration,
) -> anyhow::Result<f64> {
    let sql = |s: &str| s.replace('$', "?");
    rusqlite::Connection::open(path)?.execute(CREATE, [])?;
    let keys = keys();
    let start = Instant::now();
    let counts = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let (lookup, insert, keys) = (sql(LOOKUP), sql(INSERT), keys.clone());
                scope.spawn(move || -> anyhow::Result<u64> {
                    let mut count = 0;
                    while start.elapsed() < duration {
                        let conn = rusqlite::Connection::open(path)?;
                        conn.busy_timeout(Duration::from_secs(5))?;
                        conn.query_row(&lookup, ["none"], |row| row.get::<_, i64>(0))?;
                        if let Access::ReadWrite = access {
                            conn.execute_batch(
                                "PRAGMA busy_timeout = 30000; PRAGMA synchronous = NORMAL; BEGIN IMMEDIATE",
                            )?;
                            conn.execute(&insert, [keys.fetch_add(1, Ordering::Relaxed)])?;
                            conn.execute_batch("COMMIT")?;
                        }
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

/// PostgreSQL: a pooled connection cleaned for reuse, then the lookup (prepare and execute), for
/// `ReadWrite` one insert between `BEGIN` and `COMMIT`, on one server connection per worker.
/// Accesses per second over all workers, server work included (it runs on the same machine).
pub async fn postgres(
    url: &str,
    access: Access,
    workers: usize,
    duration: Duration,
) -> anyhow::Result<f64> {
    let mut clients = Vec::with_capacity(workers);
    for _ in 0..workers {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
        clients.push((client, tokio::spawn(connection)));
    }
    if let Some((client, _)) = clients.first() {
        client.batch_execute(CREATE).await?;
    }
    let keys = keys();
    let start = Instant::now();
    let tasks: Vec<_> = clients
        .into_iter()
        .map(|(client, connection)| {
            let keys = keys.clone();
            tokio::spawn(async move {
                let mut count = 0u64;
                while start.elapsed() < duration {
                    client.batch_execute(CLEAN).await?;
                    client.query(LOOKUP, &[&"none"]).await?;
                    if let Access::ReadWrite = access {
                        client.query("BEGIN", &[]).await?;
                        let key = keys.fetch_add(1, Ordering::Relaxed);
                        client.query(INSERT, &[&key]).await?;
                        client.query("COMMIT", &[]).await?;
                    }
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

/// Keys for the inserts: counting up from the time of the measurement (in microseconds), so no two
/// workers, and no earlier run on the same table, share one.
fn keys() -> Arc<AtomicI64> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros());
    Arc::new(AtomicI64::new(i64::try_from(now).unwrap_or(0)))
}

fn rate(count: u64, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64().max(f64::EPSILON)
}
