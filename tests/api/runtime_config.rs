//! The runtime configuration examples (`runtime-config*.toml` in the repository root): each uses
//! only tables and keys Spin reads, and each real Spin named by `AUTH_TEST_SPIN` starts with it
//! and serves a healthy app. Spin's own telemetry (OTLP export) is checked here too.

use auth_test_support::capture::CaptureServer;
use auth_test_support::databases::TempDir;
use auth_test_support::spin::{self, Extra, SpinProcess};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn examples() -> Vec<PathBuf> {
    let root = auth_test_host::component::repo_root();
    let mut found: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("repository root")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with("runtime-config") && name.ends_with(".toml")
        })
        .collect();
    found.sort();
    found
}

/// For each store type Spin implements, the keys it reads.
fn known_keys(table: &str, kind: &str) -> Option<&'static [&'static str]> {
    Some(match (table, kind) {
        ("sqlite_database", "spin") => &["type", "path"],
        ("sqlite_database", "libsql") => &["type", "url", "token"],
        ("key_value_store", "spin") => &["type", "path"],
        ("key_value_store", "redis") => &["type", "url"],
        _ => return None,
    })
}

#[test]
fn every_example_uses_only_tables_and_keys_spin_reads() {
    let examples = examples();
    let names: Vec<_> = examples.iter().map(|p| p.file_name().unwrap()).collect();
    assert_eq!(
        names,
        ["runtime-config.redis.toml", "runtime-config.toml"],
        "a new example needs its place in the README"
    );
    for path in examples {
        let text = std::fs::read_to_string(&path).unwrap();
        let config: toml::Table =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: not TOML: {e}", path.display()));
        for (table, stores) in &config {
            let stores = stores.as_table().unwrap_or_else(|| {
                panic!("{}: `{table}` is not a table of stores", path.display())
            });
            for (label, store) in stores {
                let store = store.as_table().expect("a store is a table");
                let kind = store
                    .get("type")
                    .and_then(|t| t.as_str())
                    .unwrap_or_else(|| panic!("{}: {table}.{label} has no type", path.display()));
                let keys = known_keys(table, kind).unwrap_or_else(|| {
                    panic!(
                        "{}: {table}.{label}: unknown {table} type {kind:?}",
                        path.display()
                    )
                });
                let unknown: BTreeSet<_> = store
                    .keys()
                    .filter(|k| !keys.contains(&k.as_str()))
                    .collect();
                assert!(
                    unknown.is_empty(),
                    "{}: {table}.{label}: {unknown:?}",
                    path.display()
                );
            }
        }
    }
}

/// `spin up --runtime-config-file <example>` from the app's own directory, where the database
/// path the example names then lands.
fn spin_with(
    cli: &spin::SpinCli,
    example: &str,
    dir: &TempDir,
    env: &[(&str, String)],
) -> Result<SpinProcess, String> {
    let path = auth_test_host::component::repo_root().join(example);
    let extra = Extra {
        args: vec!["--runtime-config-file".into(), path.display().to_string()],
        env: env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
        current_dir: Some(dir.0.clone()),
        manifest: None,
    };
    let variables = [("admin_token".to_owned(), "runtime-config-test".to_owned())];
    SpinProcess::start_with(cli, &variables, &dir.0, &extra)
}

async fn health(process: &SpinProcess) -> (u16, String) {
    let response = auth_test_support::client::Client::new(format!("http://{}", process.addr))
        .get("/health", None)
        .await;
    (response.status, response.text())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_spin_serves_the_app_with_each_example() {
    if spin::clis().is_empty() {
        eprintln!("skipping: AUTH_TEST_SPIN names no Spin CLI");
        return;
    }
    auth_test_host::component::built().expect("build the component");
    for cli in spin::clis() {
        for example in ["runtime-config.toml", "runtime-config.redis.toml"] {
            let dir = TempDir::new();
            let process = spin_with(cli, example, &dir, &[])
                .unwrap_or_else(|e| panic!("{} with {example}: {e}", cli.version));
            let (status, body) = health(&process).await;
            assert_eq!(status, 200, "{} with {example}: {body}", cli.version);
            if example == "runtime-config.toml" {
                assert!(
                    dir.0.join(".spin/auth.db").exists(),
                    "{}: the database file is not where the example says",
                    cli.version
                );
            }
        }
        // Spin reads these tables for real: an unknown store type, or a Redis store without its
        // URL, stops it.
        for (broken, complaint) in [
            (
                "[key_value_store.default]\ntype = \"memcached\"\n",
                "memcached",
            ),
            (
                "[key_value_store.default]\ntype = \"redis\"\n",
                "missing field `url`",
            ),
        ] {
            let dir = TempDir::new();
            let path = dir.0.join("runtime-config.broken.toml");
            std::fs::write(&path, broken).unwrap();
            let extra = Extra {
                args: vec!["--runtime-config-file".into(), path.display().to_string()],
                env: vec![],
                current_dir: Some(dir.0.clone()),
                manifest: None,
            };
            let error = SpinProcess::start_with(cli, &[], &dir.0, &extra)
                .err()
                .unwrap_or_else(|| panic!("{} accepted {broken:?}", cli.version));
            assert!(error.contains(complaint), "{}: {error}", cli.version);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spin_exports_request_traces_to_the_otlp_endpoint() {
    if spin::clis().is_empty() {
        eprintln!("skipping: AUTH_TEST_SPIN names no Spin CLI");
        return;
    }
    auth_test_host::component::built().expect("build the component");
    for cli in spin::clis() {
        let collector = CaptureServer::start().await;
        let dir = TempDir::new();
        let process = spin_with(
            cli,
            "runtime-config.toml",
            &dir,
            &[("OTEL_EXPORTER_OTLP_ENDPOINT", collector.origin())],
        )
        .unwrap_or_else(|e| panic!("{}: {e}", cli.version));
        assert_eq!(health(&process).await.0, 200);
        // OTLP/HTTP protobuf: span names travel as plain bytes. The request's span is named by the
        // route of spin.toml; the database query of /health is a child span.
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let traces: Vec<u8> = collector
                .requests()
                .iter()
                .filter(|r| r.path == "/v1/traces")
                .flat_map(|r| r.body.to_vec())
                .collect();
            let has = |name: &str| traces.windows(name.len()).any(|w| w == name.as_bytes());
            if has("GET /...") && has("spin_sqlite") {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{} sent no request and SQLite spans; it sent to {:?}",
                cli.version,
                collector
                    .requests()
                    .iter()
                    .map(|r| &r.path)
                    .collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}
