//! Fresh databases per test: a new SQLite file, or a new PostgreSQL database created and dropped.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

/// PostgreSQL server for tests; override with `AUTH_TEST_POSTGRES` (a URL to an admin database).
fn postgres_admin_url() -> String {
    std::env::var("AUTH_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

/// A directory under `target/` removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    #[allow(
        clippy::new_without_default,
        reason = "it creates a directory: not a default value"
    )]
    pub fn new() -> Self {
        let dir = auth_test_host::component::repo_root()
            .join("target")
            .join("test-tmp")
            .join(unique_name("app"));
        std::fs::create_dir_all(&dir).expect("create test directory");
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub struct PgDatabase {
    pub name: String,
    admin_url: String,
}

impl PgDatabase {
    /// `None` (with one line on stderr) when the server is unreachable outside CI; under `CI=true`
    /// an unreachable server fails the test.
    pub async fn create() -> Option<Self> {
        let admin_url = postgres_admin_url();
        let client = match connect(&admin_url).await {
            Ok(client) => client,
            Err(e) => {
                if std::env::var("CI").is_ok_and(|v| v == "true") {
                    panic!("PostgreSQL at {admin_url} is unreachable under CI=true: {e}");
                }
                eprintln!("skipping: PostgreSQL at {admin_url} is unreachable ({e})");
                return None;
            }
        };
        let name = unique_name("auth_test");
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create test database");
        Some(Self { name, admin_url })
    }

    /// The URL the component gets, with `sslmode=disable` as Spin needs for a local server.
    pub fn url(&self) -> String {
        let base = self
            .admin_url
            .rsplit_once('/')
            .map_or(self.admin_url.as_str(), |(b, _)| b);
        format!("{base}/{}?sslmode=disable", self.name)
    }

    pub fn origin(&self) -> String {
        let config: tokio_postgres::Config = self.admin_url.parse().expect("admin url");
        let host = match config.get_hosts().first() {
            Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
            _ => "127.0.0.1".to_owned(),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        format!("postgres://{host}:{port}")
    }

    pub async fn client(&self) -> tokio_postgres::Client {
        connect(&self.url())
            .await
            .expect("connect to test database")
    }

    pub async fn drop_database(&self) {
        if let Ok(client) = connect(&self.admin_url).await {
            let _ = client
                .batch_execute(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    self.name
                ))
                .await;
        }
    }
}

pub async fn connect(url: &str) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    Ok(client)
}
