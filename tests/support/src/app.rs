//! `TestApp`: the component served by the test host on its own fresh database.

use crate::capture::CaptureServer;
use crate::client::{Client, TestResponse};
use crate::databases::{PgDatabase, TempDir};
use crate::runtime::{AppServer, Runtime};
use crate::spin::SpinProcess;
use auth_test_host::{
    HostConfig, KeyValue, Manifest, MemoryOutputPipe, Server, TestClock, component,
};
use serde_json::{Value, json};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Variables every test app gets unless it overrides them: cheap password hashing keeps the suite
/// fast (the cost parameters are exercised by their own tests), mail goes to the app's capture
/// server, and events go nowhere unless a test points them at RabbitMQ.
const TEST_DEFAULTS: &[(&str, &str)] = &[
    ("password_hash_memory_kib", "256"),
    ("password_hash_iterations", "1"),
    ("issuer", "https://auth.chatty.test"),
    ("audience", "chatty"),
    (
        "password_reset_url",
        "https://chatty.test/reset-password?token={token}",
    ),
    (
        "email_verification_url",
        "https://chatty.test/verify-email?token={token}",
    ),
    (
        "email_change_url",
        "https://chatty.test/confirm-email?token={token}",
    ),
    // Nothing listens on the discard port: events fail fast unless a test points them at RabbitMQ.
    ("events_origin", "http://127.0.0.1:9"),
    ("admin_token", "test-admin-token"),
];

pub struct TestApp {
    pub server: AppServer,
    pub runtime: Runtime,
    /// The mail relay every test app sends to (`mail_relay_origin`), unless a test overrides it.
    pub mail: CaptureServer,
    pub backend: Backend,
    pub clock: TestClock,
    pub log: MemoryOutputPipe,
    pub client: Client,
    pub variables: HashMap<String, String>,
    pub pg: Option<PgDatabase>,
    pub dir: TempDir,
    /// The test host's default key-value store (on Spin, Spin keeps its own).
    pub key_value: KeyValue,
}

impl TestApp {
    /// A fresh app on the test host; `None` only when PostgreSQL is wanted but unreachable
    /// outside CI.
    pub async fn spawn(backend: Backend, vars: &[(&str, String)]) -> Option<Self> {
        Self::spawn_on(Runtime::Host, backend, vars, true).await
    }

    /// A fresh app served by `runtime`.
    pub async fn spawn_on(
        runtime: Runtime,
        backend: Backend,
        vars: &[(&str, String)],
        keep_log: bool,
    ) -> Option<Self> {
        let dir = TempDir::new();
        let mail = CaptureServer::start().await;
        let pg = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(PgDatabase::create().await?),
        };
        let mut variables: HashMap<String, String> = TEST_DEFAULTS
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        variables.insert("mail_relay_origin".into(), mail.origin());
        if let Some(pg) = &pg {
            variables.insert("database_url".into(), pg.url());
            variables.insert("database_origin".into(), pg.origin());
        }
        for (k, v) in vars {
            variables.insert((*k).to_owned(), v.clone());
        }
        Some(Self::start(runtime, backend, variables, pg, dir, mail, keep_log).await)
    }

    async fn start(
        runtime: Runtime,
        backend: Backend,
        variables: HashMap<String, String>,
        pg: Option<PgDatabase>,
        dir: TempDir,
        mail: CaptureServer,
        keep_log: bool,
    ) -> Self {
        let log = MemoryOutputPipe::new(64 * 1024 * 1024);
        let key_value = KeyValue::default();
        let (server, clock) = match runtime {
            Runtime::Host => {
                let clock = TestClock::default();
                let server = Server::start(HostConfig {
                    manifest: component::manifest().expect("spin.toml"),
                    variables: variables.clone(),
                    sqlite_path: dir.0.join("sqlite_db.db"),
                    key_value: key_value.clone(),
                    clock: clock.clone(),
                    log: keep_log.then(|| log.clone()),
                })
                .await
                .expect("start the component");
                (AppServer::Host(server), clock)
            }
            Runtime::Spin(cli) => {
                component::built().expect("build the component");
                let process = SpinProcess::start(cli, &sorted(&variables), &dir.0);
                (AppServer::Spin(process), TestClock::real_time())
            }
            Runtime::SpinRedis(cli) => {
                component::built().expect("build the component");
                let process = spin_with_redis(cli, &sorted(&variables), &dir.0);
                (AppServer::Spin(process), TestClock::real_time())
            }
        };
        let client = Client::new(server.base_url());
        Self {
            server,
            runtime,
            mail,
            backend,
            clock,
            log,
            client,
            variables,
            pg,
            dir,
            key_value,
        }
    }

    /// A second app on the same database (another replica), with extra variables.
    pub async fn replica(&self, vars: &[(&str, String)]) -> AppServer {
        match self.runtime {
            Runtime::Host => AppServer::Host(
                self.replica_with_manifest(component::manifest().expect("spin.toml"), vars)
                    .await,
            ),
            Runtime::Spin(cli) => AppServer::Spin(SpinProcess::start(
                cli,
                &sorted(&self.with_overrides(vars)),
                &self.dir.0,
            )),
            Runtime::SpinRedis(cli) => AppServer::Spin(spin_with_redis(
                cli,
                &sorted(&self.with_overrides(vars)),
                &self.dir.0,
            )),
        }
    }

    fn with_overrides(&self, vars: &[(&str, String)]) -> HashMap<String, String> {
        let mut variables = self.variables.clone();
        for (k, v) in vars {
            variables.insert((*k).to_owned(), v.clone());
        }
        variables
    }

    /// A replica whose manifest a test has changed (for example its allowed outbound hosts):
    /// test host only, since `spin up` serves this repository's manifest.
    pub async fn replica_with_manifest(
        &self,
        manifest: Manifest,
        vars: &[(&str, String)],
    ) -> Server {
        assert!(
            matches!(self.runtime, Runtime::Host),
            "a changed manifest needs the test host: list the test in tests/api/host_only.rs"
        );
        let variables = self.with_overrides(vars);
        Server::start(HostConfig {
            manifest,
            variables,
            sqlite_path: self.dir.0.join("sqlite_db.db"),
            key_value: self.key_value.clone(),
            clock: self.clock.clone(),
            log: Some(self.log.clone()),
        })
        .await
        .expect("start a replica")
    }

    /// Ends the test: waits for in-flight work, checks that no request trapped, drops the database.
    pub async fn finish(self) {
        self.server.settle().await;
        let traps = self.server.traps();
        if let Some(pg) = &self.pg {
            pg.drop_database().await;
        }
        assert_eq!(traps, 0, "the component trapped; log:\n{}", self.log_text());
    }

    pub fn log_text(&self) -> String {
        match self.runtime {
            Runtime::Host => String::from_utf8_lossy(&self.log.contents()).into_owned(),
            Runtime::Spin(_) | Runtime::SpinRedis(_) => crate::spin::component_log(&self.dir.0),
        }
    }

    /// Every JSON log line the component wrote.
    pub fn log_lines(&self) -> Vec<Value> {
        self.log_text()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// Mail captured by the relay so far, as the JSON the service posted.
    pub fn mails(&self) -> Vec<Value> {
        self.mail.requests().iter().map(|r| r.json()).collect()
    }

    /// Waits until the relay has `n` mails (delivery happens after the response).
    pub async fn wait_for_mails(&self, n: usize) -> Vec<Value> {
        self.server.settle().await;
        self.mail
            .wait_for(n)
            .await
            .iter()
            .map(|r| r.json())
            .collect()
    }

    /// The admin drain, as a cron job would call it.
    pub async fn drain(&self) -> Value {
        let token = self
            .variables
            .get("admin_token")
            .cloned()
            .unwrap_or_default();
        let response = self
            .post_json_authorized("/admin/outbox/drain", &json!({}), &token)
            .await;
        assert_eq!(response.status, 200, "drain: {}", response.text());
        self.server.settle().await;
        response.json()
    }

    pub fn now(&self) -> i64 {
        self.clock.unix_secs()
    }

    /// The SQLite database file, wherever this runtime keeps it.
    pub fn sqlite_file(&self) -> std::path::PathBuf {
        match self.runtime {
            // runtime-config.redis.toml names its own path, relative to where Spin runs.
            Runtime::SpinRedis(_) => self.dir.0.join(".spin").join("auth.db"),
            _ => self.dir.0.join("sqlite_db.db"),
        }
    }

    /// Rows of a query against the app's database, every value rendered as text (NULL as None).
    pub async fn db_rows(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        match &self.pg {
            Some(pg) => {
                let client = pg.client().await;
                client
                    .simple_query(sql)
                    .await
                    .expect("query")
                    .into_iter()
                    .filter_map(|m| match m {
                        tokio_postgres::SimpleQueryMessage::Row(row) => Some(
                            (0..row.len())
                                .map(|i| row.get(i).map(str::to_owned))
                                .collect(),
                        ),
                        _ => None,
                    })
                    .collect()
            }
            None => {
                let conn = rusqlite::Connection::open(self.sqlite_file()).expect("open sqlite");
                let mut stmt = conn.prepare(sql).expect("prepare");
                let n = stmt.column_count();
                stmt.query_map([], |row| {
                    (0..n)
                        .map(|i| {
                            Ok(match row.get_ref(i)? {
                                rusqlite::types::ValueRef::Null => None,
                                rusqlite::types::ValueRef::Integer(v) => Some(v.to_string()),
                                rusqlite::types::ValueRef::Real(v) => Some(v.to_string()),
                                rusqlite::types::ValueRef::Text(v) => {
                                    Some(String::from_utf8_lossy(v).into_owned())
                                }
                                rusqlite::types::ValueRef::Blob(v) => Some(format!("{v:?}")),
                            })
                        })
                        .collect()
                })
                .expect("query")
                .collect::<Result<_, _>>()
                .expect("rows")
            }
        }
    }

    /// The single number a counting query returns.
    pub async fn db_count(&self, sql: &str) -> i64 {
        self.db_rows(sql).await[0][0]
            .as_deref()
            .expect("a count")
            .parse()
            .expect("a number")
    }

    /// Mails from one template (`password_reset`, ...) queued in the outbox, delivered or not. A
    /// mail that was never queued can never arrive: counting here proves it without waiting.
    pub async fn queued_mails(&self, template: &str) -> i64 {
        self.db_count(&format!(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'mail' AND topic = '{template}'"
        ))
        .await
    }

    /// Runs a statement against the app's database (test set-up such as making a user an admin).
    pub async fn db_execute(&self, sql: &str) {
        match &self.pg {
            Some(pg) => {
                pg.client().await.batch_execute(sql).await.expect("execute");
            }
            None => {
                let conn = rusqlite::Connection::open(self.sqlite_file()).expect("open sqlite");
                conn.execute_batch(sql).expect("execute");
            }
        }
    }

    // Typed requests.

    pub async fn get(&self, path: &str) -> TestResponse {
        self.client.get(path, None).await
    }

    pub async fn get_authorized(&self, path: &str, token: &str) -> TestResponse {
        self.client.get(path, Some(token)).await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> TestResponse {
        self.client.post_json(path, body, None).await
    }

    pub async fn post_json_authorized(
        &self,
        path: &str,
        body: &Value,
        token: &str,
    ) -> TestResponse {
        self.client.post_json(path, body, Some(token)).await
    }

    pub async fn register(&self, email: &str, username: &str, password: &str) -> TestResponse {
        self.post_json(
            "/register",
            &json!({"email": email, "username": username, "password": password}),
        )
        .await
    }

    pub async fn login(&self, email: &str, password: &str) -> TestResponse {
        self.post_json("/login", &json!({"email": email, "password": password}))
            .await
    }

    pub async fn refresh(&self, refresh_token: &str) -> TestResponse {
        self.post_json("/token/refresh", &json!({"refresh_token": refresh_token}))
            .await
    }

    pub async fn verify(&self, access_token: &str) -> TestResponse {
        self.get_authorized("/verify", access_token).await
    }

    /// Registers a user with unique names and a valid password.
    pub async fn new_user(&self) -> TestUser {
        let name = crate::databases::unique_name("u").replace('_', "");
        let name: String = name.chars().rev().take(24).collect();
        let user = TestUser {
            email: format!("{name}@example.com"),
            username: name,
            password: "correct horse battery staple".to_owned(),
        };
        let response = self
            .register(&user.email, &user.username, &user.password)
            .await;
        assert_eq!(response.status, 201, "register: {}", response.text());
        user
    }

    /// Registers and logs in a user; returns the user and the login response body.
    pub async fn logged_in_user(&self) -> (TestUser, Tokens) {
        let user = self.new_user().await;
        let response = self.login(&user.email, &user.password).await;
        assert_eq!(response.status, 200, "login: {}", response.text());
        (user, Tokens::from(&response))
    }
}

#[derive(Debug, Clone)]
pub struct TestUser {
    pub email: String,
    pub username: String,
    pub password: String,
}

#[derive(Debug, Clone)]
pub struct Tokens {
    pub access: String,
    pub refresh: String,
}

impl From<&TestResponse> for Tokens {
    fn from(response: &TestResponse) -> Self {
        let body = response.json();
        Self {
            access: body["access_token"]
                .as_str()
                .expect("access_token")
                .to_owned(),
            refresh: body["refresh_token"]
                .as_str()
                .expect("refresh_token")
                .to_owned(),
        }
    }
}

/// Variables in a stable order, for a process's environment.
fn sorted(variables: &HashMap<String, String>) -> Vec<(String, String)> {
    let mut list: Vec<_> = variables
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    list.sort();
    list
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "--- component log ({}) ---\n{}--- end of component log ---",
                self.runtime.name(),
                self.log_text()
            );
        }
    }
}

/// `spin up` with the repository's Redis runtime configuration, run from the app's directory (where
/// the configuration's relative SQLite path then lands).
fn spin_with_redis(
    cli: &'static crate::spin::SpinCli,
    variables: &[(String, String)],
    dir: &std::path::Path,
) -> SpinProcess {
    let config = component::repo_root().join("runtime-config.redis.toml");
    let extra = crate::spin::Extra {
        args: vec!["--runtime-config-file".into(), config.display().to_string()],
        env: Vec::new(),
        current_dir: Some(dir.to_path_buf()),
        manifest: None,
    };
    SpinProcess::start_with(cli, variables, dir, &extra)
        .unwrap_or_else(|e| panic!("{} with Redis did not start: {e}", cli.version))
}
