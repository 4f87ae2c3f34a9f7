//! The load generator: N connections, each sending its next request as soon as the last answered.

use auth_test_host::{HostConfig, Server, component};
use auth_test_support::TestApp;
use auth_test_support::client::Client;
use auth_test_support::runtime::{AppServer, Runtime};
use auth_test_support::spin::{Extra, SpinProcess};
use bytes::Bytes;
use http_body_util::Full;
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub struct Measurement {
    pub name: String,
    pub count: usize,
    pub errors: usize,
    pub elapsed: Duration,
    /// CPU time the whole process (host and component) spent, per request.
    pub cpu_us_per_request: f64,
    /// The empty component's rate, measured taking turns with this endpoint, when it was.
    pub paired_baseline_rps: Option<f64>,
    latencies_us: Vec<u64>,
}

/// User plus system CPU time of this process so far, in microseconds.
fn process_cpu_us() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may contain spaces): utime is the 12th, stime the 13th.
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // Linux reports these in clock ticks of 1/100 s.
    (ticks(11) + ticks(12)) * 10_000.0
}

impl Measurement {
    pub fn skipped() -> Self {
        Self {
            name: "(skipped)".into(),
            count: 0,
            errors: 0,
            elapsed: Duration::from_secs(1),
            cpu_us_per_request: f64::NAN,
            paired_baseline_rps: None,
            latencies_us: Vec::new(),
        }
    }

    pub fn rps(&self) -> f64 {
        self.count as f64 / self.elapsed.as_secs_f64()
    }

    /// Machine time this endpoint costs a request beyond the empty component measured beside it
    /// (seconds), for rows taken in turns with it.
    pub fn cost_over_baseline(&self) -> Option<f64> {
        self.paired_baseline_rps
            .map(|base| 1.0 / self.rps() - 1.0 / base)
    }

    fn percentile_ms(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let i = ((self.latencies_us.len() as f64 - 1.0) * p).round() as usize;
        self.latencies_us[i] as f64 / 1000.0
    }

    pub fn p50_ms(&self) -> f64 {
        self.percentile_ms(0.50)
    }

    pub fn p99_ms(&self) -> f64 {
        self.percentile_ms(0.99)
    }

    /// Two measurements of the same endpoint as one (latencies left unsorted).
    fn add(mut self, other: Measurement) -> Self {
        let cpu = |m: &Measurement| m.cpu_us_per_request * m.count as f64;
        let count = self.count + other.count;
        self.cpu_us_per_request = (cpu(&self) + cpu(&other)) / count.max(1) as f64;
        self.count = count;
        self.errors += other.errors;
        self.elapsed += other.elapsed;
        self.latencies_us.extend(other.latencies_us);
        self
    }

    fn report(&self) {
        eprintln!(
            "  {:<52} {:>8.0} req/s  p50 {:>8.2} ms  p99 {:>8.2} ms  {:>7.0} µs CPU/req  errors {}",
            self.name,
            self.rps(),
            self.p50_ms(),
            self.p99_ms(),
            self.cpu_us_per_request,
            self.errors
        );
    }
}

/// The `Accept-Encoding` the benchmark's document fetches send, as browsers do.
const OPENAPI_ACCEPT_ENCODING: &str = "gzip, deflate, br";

/// What one connection sends, with any per-connection state (token chains, unique names).
#[derive(Clone)]
pub enum Endpoint {
    Baseline,
    /// The probe reading this many Spin variables and doing nothing else.
    Variables {
        count: usize,
    },
    UnknownRoute,
    /// The constant routes: the same answer every time, no database.
    OpenApi,
    Jwks,
    /// The probe's constant answer of that many bytes.
    BareBytes {
        len: usize,
    },
    Health,
    Verify {
        token: String,
    },
    Refresh {
        tokens: Arc<Vec<std::sync::Mutex<String>>>,
        /// Numbers the requests, each the address of a client of its own.
        clients: Arc<AtomicU64>,
    },
    /// One account per connection: the sign-in buckets count per identifier.
    Login {
        bodies: Arc<Vec<Value>>,
    },
    Register {
        counter: Arc<AtomicU64>,
    },
    BareHash {
        query: String,
    },
    /// Public key, signature and signed message for the probe's bare Ed25519 check.
    BareSignature {
        body: Bytes,
    },
    /// Key pair and claims for the probe's bare access-token signing.
    BareJwt {
        body: Bytes,
    },
    /// The probe's rotation floor: `BareJwt`'s body, and the database to use (empty: SQLite).
    Rotation {
        body: Bytes,
        database_url: String,
    },
}

impl Endpoint {
    pub async fn verify(app: &TestApp) -> Self {
        let (_, tokens) = app.logged_in_user().await;
        Endpoint::Verify {
            token: tokens.access,
        }
    }

    pub async fn refresh(app: &TestApp, connections: usize) -> Self {
        let (user, _) = app.logged_in_user().await;
        let mut chains = Vec::new();
        for _ in 0..connections {
            let response = app.login(&user.email, &user.password).await;
            chains.push(std::sync::Mutex::new(
                response.json()["refresh_token"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            ));
        }
        Endpoint::Refresh {
            tokens: Arc::new(chains),
            clients: Arc::new(AtomicU64::new(0)),
        }
    }

    pub async fn login(app: &TestApp, connections: usize) -> Self {
        let mut bodies = Vec::new();
        for _ in 0..connections.max(1) {
            let user = app.new_user().await;
            bodies.push(json!({"email": user.email, "password": user.password}));
        }
        Endpoint::Login {
            bodies: Arc::new(bodies),
        }
    }

    /// The bare signature check `/verify` makes for this endpoint's token: its signed part (header
    /// and claims, the same length) signed with a key of the benchmark's own.
    pub fn bare_signature(&self) -> Self {
        use ed25519_dalek::Signer;
        let signed = match self {
            Endpoint::Verify { token } => token.rsplit_once('.').map_or("", |(signed, _)| signed),
            _ => "",
        };
        let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
        let mut body = key.verifying_key().to_bytes().to_vec();
        body.extend(key.sign(signed.as_bytes()).to_bytes());
        body.extend(signed.as_bytes());
        Endpoint::BareSignature {
            body: Bytes::from(body),
        }
    }

    /// The bare signing `/token/refresh` makes: this endpoint's token's claims, signed again with a
    /// key of the benchmark's own.
    pub fn bare_jwt(&self) -> Self {
        use ct_codecs::{Base64UrlSafeNoPadding, Decoder};
        let claims = match self {
            Endpoint::Verify { token } => token
                .split('.')
                .nth(1)
                .and_then(|payload| Base64UrlSafeNoPadding::decode_to_vec(payload, None).ok()),
            _ => None,
        };
        let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
        let mut body = key.to_keypair_bytes().to_vec();
        body.extend(claims.unwrap_or_default());
        Endpoint::BareJwt {
            body: Bytes::from(body),
        }
    }

    /// The rotation floor with the signing of `bare_jwt` (a `BareJwt`), on the database at
    /// `database_url` (empty: the probe's SQLite `default`).
    pub fn rotation(bare_jwt: &Endpoint, database_url: &str) -> Self {
        let body = match bare_jwt {
            Endpoint::BareJwt { body } => body.clone(),
            _ => Bytes::new(),
        };
        Endpoint::Rotation {
            body,
            database_url: database_url.to_owned(),
        }
    }

    pub fn register() -> Self {
        // Unique names across every run of the process: later runs must not collide with earlier ones.
        static COUNTER: std::sync::OnceLock<Arc<AtomicU64>> = std::sync::OnceLock::new();
        let counter = COUNTER.get_or_init(|| {
            let start = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() % 1_000_000 * 1_000_000);
            Arc::new(AtomicU64::new(start))
        });
        Endpoint::Register {
            counter: counter.clone(),
        }
    }

    pub fn bare_hash((m, t, p): (&str, &str, &str)) -> Self {
        Endpoint::BareHash {
            query: format!("m={m}&t={t}&p={p}"),
        }
    }

    fn name(&self) -> String {
        match self {
            Endpoint::Baseline => "baseline: empty spin-sdk component".into(),
            Endpoint::Variables { count: 1 } => "1 Spin variable read (probe)".into(),
            Endpoint::Variables { count } => format!("{count} Spin variables read (probe)"),
            Endpoint::UnknownRoute => "GET /unknown (404: the fixed cost)".into(),
            Endpoint::OpenApi => "GET /openapi.json (gzip accepted)".into(),
            Endpoint::Jwks => "GET /.well-known/jwks.json".into(),
            Endpoint::BareBytes { len } => format!("bare answer of {len} bytes (openapi's floor)"),
            Endpoint::Health => "GET /health".into(),
            Endpoint::Verify { .. } => "GET /verify".into(),
            Endpoint::Refresh { .. } => "POST /token/refresh".into(),
            Endpoint::Login { .. } => "POST /login".into(),
            Endpoint::Register { .. } => "POST /register".into(),
            Endpoint::BareHash { .. } => "bare argon2id hash (login floor)".into(),
            Endpoint::BareSignature { .. } => {
                "bare Ed25519 check (verify's signature floor)".into()
            }
            Endpoint::BareJwt { .. } => "bare token signing (refresh's signing floor)".into(),
            Endpoint::Rotation { .. } => {
                "rotation floor: read, write transaction, signing (probe)".into()
            }
        }
    }

    /// The request the `connection`-th connection sends next, and the status it expects.
    pub fn request(&self, client: &Client, connection: usize) -> (http::Request<Full<Bytes>>, u16) {
        let plain = |method: &str, path: &str, body: Bytes| {
            client.request(method, path).body(Full::new(body)).unwrap()
        };
        let json_post = |path: &str, body: Value| {
            client
                .request("POST", path)
                .header("content-type", "application/json")
                .body(Full::new(Bytes::from(body.to_string())))
                .unwrap()
        };
        match self {
            Endpoint::Baseline => (plain("GET", "/", Bytes::new()), 200),
            Endpoint::Variables { count } => (
                plain("GET", &format!("/variables?n={count}"), Bytes::new()),
                200,
            ),
            Endpoint::UnknownRoute => (plain("GET", "/unknown", Bytes::new()), 404),
            // As browsers and API tools ask for it.
            Endpoint::OpenApi => (
                client
                    .request("GET", "/openapi.json")
                    .header("accept-encoding", OPENAPI_ACCEPT_ENCODING)
                    .body(Full::default())
                    .unwrap(),
                200,
            ),
            Endpoint::Jwks => (plain("GET", "/.well-known/jwks.json", Bytes::new()), 200),
            Endpoint::BareBytes { len } => {
                (plain("GET", &format!("/bytes?n={len}"), Bytes::new()), 200)
            }
            Endpoint::Health => (plain("GET", "/health", Bytes::new()), 200),
            Endpoint::Verify { token } => (
                client
                    .request("GET", "/verify")
                    .header("authorization", format!("Bearer {token}"))
                    .body(Full::default())
                    .unwrap(),
                200,
            ),
            Endpoint::Refresh { tokens, clients } => {
                let token = tokens[connection].lock().unwrap().clone();
                let mut request = json_post("/token/refresh", json!({"refresh_token": token}));
                // Every request comes from a client of its own (the bench's proxy says which), as
                // real refreshes do: many clients, each once per access-token lifetime. One
                // address refreshing hundreds of times a second is what the per-address limit
                // stops, and counting what it already did would be most of the work measured.
                let n = clients.fetch_add(1, Ordering::Relaxed);
                request.headers_mut().insert(
                    "x-forwarded-for",
                    format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255)
                        .parse()
                        .unwrap(),
                );
                (request, 200)
            }
            Endpoint::Login { bodies } => {
                let body = bodies.get(connection % bodies.len().max(1)).cloned();
                (json_post("/login", body.unwrap_or_default()), 200)
            }
            Endpoint::Register { counter } => {
                let n = counter.fetch_add(1, Ordering::SeqCst);
                let body = json!({
                    "email": format!("bench{n}@example.com"),
                    "username": format!("bench{n}"),
                    "password": "correct horse battery staple",
                });
                (json_post("/register", body), 201)
            }
            Endpoint::BareHash { query } => {
                (plain("POST", &format!("/hash?{query}"), Bytes::new()), 200)
            }
            Endpoint::BareSignature { body } => (plain("POST", "/ed25519", body.clone()), 200),
            Endpoint::BareJwt { body } => (plain("POST", "/jwt", body.clone()), 200),
            Endpoint::Rotation { body, database_url } => (
                client
                    .request("POST", "/rotation")
                    .header("x-database-url", database_url)
                    .body(Full::new(body.clone()))
                    .unwrap(),
                200,
            ),
        }
    }

    fn observe(&self, connection: usize, body: &Bytes) {
        if let Endpoint::Refresh { tokens, .. } = self
            && let Some(next) = serde_json::from_slice::<Value>(body)
                .ok()
                .and_then(|v| v["refresh_token"].as_str().map(str::to_owned))
        {
            *tokens[connection].lock().unwrap() = next;
        }
    }
}

pub async fn run(
    client: &Client,
    endpoint: Endpoint,
    connections: usize,
    duration: Duration,
) -> Measurement {
    let m = run_quietly(client, endpoint, connections, duration).await;
    m.report();
    m
}

async fn run_quietly(
    client: &Client,
    endpoint: Endpoint,
    connections: usize,
    duration: Duration,
) -> Measurement {
    let name = if connections == 1 {
        format!("{} (1 connection)", endpoint.name())
    } else {
        endpoint.name()
    };
    // A short warm-up: connections open, caches fill.
    let warm = Instant::now() + Duration::from_millis(500);
    let started = Instant::now() + Duration::from_millis(500);
    let deadline = started + duration;
    let cpu = Arc::new(std::sync::Mutex::new((0.0f64, 0.0f64)));
    {
        let cpu = cpu.clone();
        tokio::spawn(async move {
            tokio::time::sleep_until(started.into()).await;
            let begin = process_cpu_us();
            tokio::time::sleep_until(deadline.into()).await;
            *cpu.lock().unwrap() = (begin, process_cpu_us());
        });
    }
    let mut tasks = Vec::new();
    for connection in 0..connections {
        // One connection (and so one client) per worker, kept alive.
        let client = Client::new(client.base.clone());
        let endpoint = endpoint.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            loop {
                let (request, expected) = endpoint.request(&client, connection);
                let sent = Instant::now();
                if sent >= deadline {
                    break;
                }
                let response = client.send(request).await;
                let took = sent.elapsed();
                endpoint.observe(connection, &response.body);
                if sent >= warm {
                    latencies.push(took.as_micros() as u64);
                    if response.status != expected {
                        if errors < 3 {
                            eprintln!("    unexpected {}: {}", response.status, response.text());
                        }
                        errors += 1;
                    }
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies_us = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (l, e) = task.await.unwrap();
        latencies_us.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed().min(duration);
    latencies_us.sort_unstable();
    let (begin, end) = *cpu.lock().unwrap();
    let count = latencies_us.len();
    Measurement {
        name,
        count,
        errors,
        elapsed,
        cpu_us_per_request: (end - begin) / count.max(1) as f64,
        paired_baseline_rps: None,
        latencies_us,
    }
}

/// `a` and `b` under the same load for `duration` each, taking turns in slices of about two
/// seconds: a ratio of the two then compares them under the same machine, whose speed drifts by
/// tens of percent over tens of seconds on a shared host. Each side's slices are added up into
/// one measurement.
pub async fn run_alternating(
    a: (&Client, Endpoint),
    b: (&Client, Endpoint),
    connections: usize,
    duration: Duration,
) -> (Measurement, Measurement) {
    let slices = u32::try_from(duration.as_secs() / 2)
        .unwrap_or(2)
        .clamp(2, 10);
    let slice = duration / slices;
    let mut sides: [Option<Measurement>; 2] = [None, None];
    for _ in 0..slices {
        for (i, (client, endpoint)) in [&a, &b].into_iter().enumerate() {
            let part = run_quietly(client, endpoint.clone(), connections, slice).await;
            sides[i] = Some(match sides[i].take() {
                None => part,
                Some(sum) => sum.add(part),
            });
        }
    }
    let [a, b] = sides.map(|m| {
        let mut m = m.unwrap_or_else(Measurement::skipped);
        m.name = format!("{} (alternating)", m.name);
        m.latencies_us.sort_unstable();
        m.report();
        m
    });
    (a, b)
}

/// `endpoint` on `client`, taking turns with the empty component on `probe`: its ratio to the
/// baseline then compares the two under the same machine.
pub async fn against_baseline(
    probe: &Client,
    client: &Client,
    endpoint: Endpoint,
    connections: usize,
    duration: Duration,
) -> Measurement {
    let (baseline, mut m) = run_alternating(
        (probe, Endpoint::Baseline),
        (client, endpoint),
        connections,
        duration,
    )
    .await;
    m.paired_baseline_rps = Some(baseline.rps());
    m
}

/// One request to `a`, then one to `b`, each over its own connection, for `duration`. Both see the
/// same machine at the same moments, so their latencies compare even while the CPU's speed drifts
/// (it does on a shared machine, by tens of percent over tens of seconds). CPU time cannot be split
/// between the two and is not reported.
pub async fn run_paired(
    a: (&Client, Endpoint),
    b: (&Client, Endpoint),
    duration: Duration,
) -> (Measurement, Measurement) {
    let warm = Instant::now() + Duration::from_millis(500);
    let deadline = warm + duration;
    let sides = [a, b].map(|(client, endpoint)| (Client::new(client.base.clone()), endpoint));
    let mut latencies: [Vec<u64>; 2] = Default::default();
    let mut errors = [0usize; 2];
    while Instant::now() < deadline {
        for (i, (client, endpoint)) in sides.iter().enumerate() {
            let (request, expected) = endpoint.request(client, 0);
            let sent = Instant::now();
            let response = client.send(request).await;
            let took = sent.elapsed();
            endpoint.observe(0, &response.body);
            if sent >= warm {
                latencies[i].push(took.as_micros() as u64);
                if response.status != expected {
                    eprintln!("    unexpected {}: {}", response.status, response.text());
                    errors[i] += 1;
                }
            }
        }
    }
    let [(_, a), (_, b)] = sides;
    let [la, lb] = latencies;
    let measure = |endpoint: Endpoint, mut latencies_us: Vec<u64>, errors| {
        latencies_us.sort_unstable();
        let m = Measurement {
            name: format!("{} (1 connection)", endpoint.name()),
            count: latencies_us.len(),
            errors,
            elapsed: duration,
            cpu_us_per_request: f64::NAN,
            paired_baseline_rps: None,
            latencies_us,
        };
        eprintln!(
            "  {:<52} {:>8.0} req/s  p50 {:>8.2} ms  p99 {:>8.2} ms  (alternating)  errors {}",
            m.name,
            m.rps(),
            m.p50_ms(),
            m.p99_ms(),
            m.errors
        );
        m
    };
    (measure(a, la, errors[0]), measure(b, lb, errors[1]))
}

/// How many variables the probe's manifest declares for `/variables`: as many as a refresh reads.
pub const PROBE_VARIABLES: usize = 8;

/// The name of the probe's `i`-th variable, from 0: `setting_a` on (a word after an underscore
/// must start with a letter).
fn probe_variable(i: usize) -> String {
    let letter = char::from(b'a' + u8::try_from(i % 26).unwrap_or(0));
    format!("setting_{letter}")
}

pub struct Probe {
    pub client: Client,
    _server: AppServer,
    _dir: auth_test_support::databases::TempDir,
}

/// Builds the reference component (tests/bench/probe) and serves it with `runtime`: the baseline
/// and the bare floors come from the same runtime as the endpoints they are compared with.
pub async fn probe(runtime: Runtime) -> anyhow::Result<Probe> {
    serve_probe(runtime, None).await
}

/// The probe again, given the app's SQLite database as its `default` and leave to reach the local
/// PostgreSQL: for the rotation floor, measured on the database the endpoints ran against. Its
/// own process, so that the baseline's component is not given databases it does not use.
pub async fn rotation_probe(runtime: Runtime, sqlite_file: &Path) -> anyhow::Result<Probe> {
    serve_probe(runtime, Some(sqlite_file)).await
}

async fn serve_probe(runtime: Runtime, database: Option<&Path>) -> anyhow::Result<Probe> {
    let root = component::repo_root();
    let status = std::process::Command::new("cargo")
        .args([
            "build",
            "--release",
            "--target",
            "wasm32-wasip2",
            "--manifest-path",
        ])
        .arg(root.join("tests/bench/probe/Cargo.toml"))
        .arg("--target-dir")
        .arg(root.join("target/bench-probe"))
        .status()?;
    anyhow::ensure!(status.success(), "building the probe failed");
    let wasm = root.join("target/bench-probe/wasm32-wasip2/release/bench_probe.wasm");
    let dir = auth_test_support::databases::TempDir::new();
    let server = match runtime {
        Runtime::Host => AppServer::Host(
            Server::start_with(
                HostConfig {
                    manifest: component::manifest()?,
                    variables: Default::default(),
                    sqlite_path: database.map_or_else(|| dir.0.join("probe.db"), Path::to_owned),
                    key_value: Default::default(),
                    clock: Default::default(),
                    log: None,
                },
                &component::compile_file(&wasm)?,
            )
            .await?,
        ),
        Runtime::Spin(cli) | Runtime::SpinRedis(cli) => {
            let manifest = dir.0.join("spin.toml");
            // `/variables` reads these, as the service reads its settings: application variables
            // with defaults, passed through to the component unchanged.
            let names: Vec<String> = (0..PROBE_VARIABLES).map(probe_variable).collect();
            let declared: String = names
                .iter()
                .map(|n| format!("{n} = {{ default = \"value\" }}\n"))
                .collect();
            let passed: String = names
                .iter()
                .map(|n| format!("{n} = \"{{{{ {n} }}}}\"\n"))
                .collect();
            let mut text = format!(
                "spin_manifest_version = 2\n\n[application]\nname = \"bench-probe\"\n\n\
                 [variables]\n{declared}\n\
                 [[trigger.http]]\nroute = \"/...\"\ncomponent = \"probe\"\n\n\
                 [component.probe]\nsource = {:?}\n",
                wasm.display().to_string()
            );
            let mut extra = Extra::default();
            if let Some(file) = database {
                text.push_str(
                    "sqlite_databases = [\"default\"]\n\
                     allowed_outbound_hosts = [\"postgres://127.0.0.1:5432\"]\n",
                );
                let config = dir.0.join("runtime-config.toml");
                std::fs::write(
                    &config,
                    format!(
                        "[sqlite_database.default]\ntype = \"spin\"\npath = {:?}\n",
                        file.display().to_string()
                    ),
                )?;
                extra.args = vec!["--runtime-config-file".into(), config.display().to_string()];
            }
            text.push_str(&format!("\n[component.probe.variables]\n{passed}"));
            std::fs::write(&manifest, text)?;
            extra.manifest = Some(manifest);
            AppServer::Spin(
                SpinProcess::start_with(cli, &[], &dir.0, &extra)
                    .map_err(|e| anyhow::anyhow!("the probe on {}: {e}", cli.version))?,
            )
        }
    };
    Ok(Probe {
        client: Client::new(server.base_url()),
        _server: server,
        _dir: dir,
    })
}

/// The machine the figures come from.
pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!(
        "Machine: {cpu}, {cores} cores; {} {}.",
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}
