//! Load benchmark: the component in the test host (a fresh instance per request, as under Spin) on
//! SQLite and PostgreSQL, driven by a concurrent load generator for a fixed time per endpoint.
//!
//!     cargo bench --bench load
//!
//! Settings (environment): BENCH_SECONDS per endpoint (10), BENCH_CONNECTIONS (16),
//! BENCH_BACKENDS (sqlite,postgres), AUTH_BENCH_SPIN (comma-separated Spin CLIs: each serves the
//! same runs, after the test host), BENCH_STORES (the key-value stores Spin runs use: `local`,
//! `redis`; default local), BENCH_RUNTIMES (`host` to include the test host when Spin CLIs are
//! named; default host). Prints a table and writes it to target/bench/results.md.

#![allow(
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod floor;
mod load;

use auth_test_host::component;
use auth_test_support::runtime::Runtime;
use auth_test_support::{Backend, TestApp, capture, jwt, spin};
use floor::Access;
use load::{Endpoint, Measurement, run};
use std::fmt::Write as _;
use std::time::Duration;

/// What `GET /verify` reads with a configured key and the session cache on (the benchmark's set-up).
const VERIFY_SETTINGS: [&str; 5] = [
    "environment",
    "jwt_private_key",
    "session_cache",
    "issuer",
    "audience",
];

/// The costs auth_service uses by default: the bare-hash floor must use the same.
const HASH_COSTS: (&str, &str, &str) = ("19456", "2", "1");

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> anyhow::Result<()> {
    // wasmtime builds an internal error value each time an instance is torn down; with
    // `RUST_BACKTRACE` set in the shell that would capture a backtrace per request and skew every
    // figure. Panics keep their backtraces (this only affects library-captured ones). Spin's
    // per-request trace would cost every measured request too (see tests/support/src/spin.rs). Both are read
    // from the environment, so the benchmark runs itself again with them set.
    let wanted = [("RUST_LIB_BACKTRACE", "0"), ("AUTH_SPIN_QUIET", "1")];
    if wanted
        .iter()
        .any(|(name, value)| std::env::var(name).as_deref() != Ok(value))
    {
        let status = std::process::Command::new(std::env::current_exe()?)
            .args(std::env::args_os().skip(1))
            .envs(wanted)
            .status()?;
        std::process::exit(status.code().unwrap_or(1));
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(bench())
}

async fn bench() -> anyhow::Result<()> {
    let seconds = Duration::from_secs(env_number("BENCH_SECONDS", 10));
    let connections = env_number("BENCH_CONNECTIONS", 16) as usize;
    let backends: Vec<Backend> = std::env::var("BENCH_BACKENDS")
        .unwrap_or_else(|_| "sqlite,postgres".into())
        .split(',')
        .filter_map(|b| match b.trim() {
            "sqlite" => Some(Backend::Sqlite),
            "postgres" => Some(Backend::Postgres),
            _ => None,
        })
        .collect();

    // Builds (with spin.toml's build command) and compiles the component before anything is timed.
    component::compiled()?;
    let size = std::fs::metadata(component::manifest()?.source)?.len();
    let clis: &'static [spin::SpinCli] = Vec::leak(spin::named_in(
        "AUTH_BENCH_SPIN",
        &std::env::var("AUTH_BENCH_SPIN").unwrap_or_default(),
    ));
    let listed = |var: &str, default: &str, name: &str| {
        std::env::var(var)
            .unwrap_or_else(|_| default.to_owned())
            .split(',')
            .any(|item| item.trim() == name)
    };
    let mut runtimes = Vec::new();
    if listed("BENCH_RUNTIMES", "host", "host") || clis.is_empty() {
        runtimes.push(Runtime::Host);
    }
    for cli in clis {
        if listed("BENCH_STORES", "local", "local") {
            runtimes.push(Runtime::Spin(cli));
        }
        if listed("BENCH_STORES", "local", "redis") {
            runtimes.push(Runtime::SpinRedis(cli));
        }
    }
    let mut report = String::new();
    writeln!(report, "# auth_service benchmark\n")?;
    writeln!(report, "{}\n", load::machine())?;
    writeln!(
        report,
        "{connections} connections, {} s per endpoint, component {:.2} MB, argon2id m={} t={} p={}.\n",
        seconds.as_secs(),
        size as f64 / 1e6,
        HASH_COSTS.0,
        HASH_COSTS.1,
        HASH_COSTS.2
    )?;
    println!("{report}");

    for runtime in runtimes {
        let probe = load::probe(runtime).await?;
        for backend in backends.iter().copied() {
            // The broker answers as RabbitMQ does when a queue is bound, so events are delivered at once
            // rather than retried: the figures measure the service, not a missing peer.
            let broker = capture::CaptureServer::start().await;
            broker.set_reply(capture::Reply {
                body: r#"{"routed":true}"#.into(),
                ..Default::default()
            });
            let vars: Vec<(&str, String)> = vec![
                ("events_origin", broker.origin()),
                ("password_hash_memory_kib", HASH_COSTS.0.into()),
                ("password_hash_iterations", HASH_COSTS.1.into()),
                ("password_hash_parallelism", HASH_COSTS.2.into()),
                ("rate_limit_login_per_minute", "1000000".into()),
                // The load generator stands for a proxy: refreshes name their client (see load.rs),
                // each limited as shipped.
                ("trusted_proxies", "127.0.0.1".into()),
                // A configured key, as in production: /verify then needs no database for live sessions.
                ("jwt_private_key", jwt::KEY_A_PEM.into()),
                ("rate_limit_register_per_hour", "1000000".into()),
            ];
            let Some(app) = TestApp::spawn_on(runtime, backend, &vars, false).await else {
                eprintln!("skipping {backend:?}: database unreachable");
                continue;
            };
            let only = std::env::var("BENCH_ONLY").unwrap_or_default();
            let wanted = |name: &str| only.is_empty() || only.split(',').any(|o| o == name);
            let skip = load::Measurement::skipped;
            let mut rows = Vec::new();
            let baseline = run(&probe.client, Endpoint::Baseline, connections, seconds).await;
            // The rows whose ratio to the empty component matters take turns with it: this
            // machine's speed drifts by tens of percent within a minute.
            let paired = |client, endpoint| {
                load::against_baseline(&probe.client, client, endpoint, connections, seconds)
            };
            let fixed = if wanted("unknown") {
                paired(&app.client, Endpoint::UnknownRoute).await
            } else {
                skip()
            };
            // Every route reads one Spin variable first (`environment`, the production check): on
            // Spin, the probe reading one variable is the ceiling of any route.
            let mut one_variable = None;
            let mut first_read_cost = None;
            if (wanted("unknown") || wanted("constant") || wanted("verify"))
                && !matches!(runtime, Runtime::Host)
            {
                let measured = paired(&probe.client, Endpoint::Variables { count: 1 }).await;
                one_variable = measured
                    .paired_baseline_rps
                    .map(|base| measured.rps() / base);
                first_read_cost = measured.cost_over_baseline();
                rows.push(measured);
            }
            if wanted("constant") {
                // The floor sends as many bytes as the document does, in the coding the bench asks for.
                let (fetch, _) = Endpoint::OpenApi.request(&app.client, 0);
                let len = app.client.send(fetch).await.body.len();
                let bare = Endpoint::BareBytes { len };
                rows.push(paired(&probe.client, bare).await);
                rows.push(paired(&app.client, Endpoint::OpenApi).await);
                rows.push(paired(&app.client, Endpoint::Jwks).await);
            }
            if wanted("health") {
                rows.push(paired(&app.client, Endpoint::Health).await);
            }
            let mut signature = None;
            let mut signature_cost = None;
            let mut verified = None;
            if wanted("verify") {
                let verify = Endpoint::verify(&app).await;
                let bare = paired(&probe.client, verify.bare_signature()).await;
                signature = Some(bare.rps());
                signature_cost = bare.cost_over_baseline();
                rows.push(bare);
                let measured = paired(&app.client, verify).await;
                verified = measured
                    .paired_baseline_rps
                    .map(|base| (measured.rps(), base));
                rows.push(measured);
            }
            let mut signing = None;
            if wanted("refresh") {
                let bare = Endpoint::verify(&app).await.bare_jwt();
                let measured = paired(&probe.client, bare).await;
                signing = Some(measured.rps());
                rows.push(measured);
            }
            // The floors next, while the database holds what the endpoints above ran against.
            let read_floor = if wanted("verify") || wanted("health") || wanted("floor") {
                Some(floor_rate(&app, backend, Access::Read, connections).await?)
            } else {
                None
            };
            let write_floor = if wanted("refresh") || wanted("floor") {
                Some(floor_rate(&app, backend, Access::ReadWrite, connections).await?)
            } else {
                None
            };
            // Refresh and its floor on this runtime (the probe, through the same host interfaces, on
            // the app's database; the native write floor above made the floor's table), taking
            // turns: the ratio the budget is about then compares them on the same machine.
            let mut refresh = None;
            let mut rotation = None;
            if wanted("refresh") {
                let floor_probe = load::rotation_probe(runtime, &app.sqlite_file()).await?;
                let url = match backend {
                    Backend::Sqlite => String::new(),
                    Backend::Postgres => app
                        .variables
                        .get("database_url")
                        .cloned()
                        .unwrap_or_default(),
                };
                let bare = Endpoint::verify(&app).await.bare_jwt();
                let (measured, floor) = load::run_alternating(
                    (&app.client, Endpoint::refresh(&app, connections).await),
                    (&floor_probe.client, Endpoint::rotation(&bare, &url)),
                    connections,
                    seconds,
                )
                .await;
                refresh = Some(measured.rps());
                rotation = Some(floor.rps());
                rows.extend([measured, floor]);
            }
            // What reading its settings costs a request on this runtime: the probe reading as many
            // Spin variables as a refresh does here, taking turns with the empty probe (with the
            // one-variable reading, also the cost of each read after the first, for `/verify`).
            let mut settings_cost = None;
            if (wanted("refresh") || wanted("verify")) && !matches!(runtime, Runtime::Host) {
                let count = load::PROBE_VARIABLES;
                let reading = paired(&probe.client, Endpoint::Variables { count }).await;
                settings_cost = reading.cost_over_baseline();
                rows.push(reading);
            }

            // Hash-bound endpoints: throughput under load, then latency one request at a time (under
            // load, p50 measures queueing on two cores, not the work a request does).
            if wanted("login") || wanted("register") || wanted("hash") {
                rows.push(
                    run(
                        &probe.client,
                        Endpoint::bare_hash(HASH_COSTS),
                        connections,
                        seconds,
                    )
                    .await,
                );
            }
            // One at a time, each endpoint alternates request by request with the bare hash it is
            // compared with: the CPU's speed drifts on a shared machine, and both must see the same.
            let bare = || (&probe.client, Endpoint::bare_hash(HASH_COSTS));
            if wanted("login") {
                let login = Endpoint::login(&app, connections).await;
                rows.push(run(&app.client, login.clone(), connections, seconds).await);
                let (hash, login) = load::run_paired(bare(), (&app.client, login), seconds).await;
                rows.extend([hash, login]);
            }
            if wanted("register") {
                rows.push(run(&app.client, Endpoint::register(), connections, seconds).await);
                let register = (&app.client, Endpoint::register());
                let (hash, register) = load::run_paired(bare(), register, seconds).await;
                rows.extend([hash, register]);
            }
            let mut soak = None;
            if wanted("soak") {
                let soak_seconds = Duration::from_secs(env_number("BENCH_SOAK_SECONDS", 30));
                soak =
                    Some(run(&app.client, Endpoint::register(), connections, soak_seconds).await);
            }
            app.server.settle().await;
            let traps = app.server.traps();
            let mut section = table(
                &format!("{backend:?} on {}", runtime.name()),
                &baseline,
                &fixed,
                &rows,
            );
            let base = baseline.rps();
            // Each bound adds machine times: 1 / rate is what one request costs the whole machine. The
            // bare probe rows already include the empty component's work.
            let bound = |parts: &[f64]| 1.0 / parts.iter().map(|rate| 1.0 / rate).sum::<f64>();
            let mut say = |text: String| section.push_str(&format!("{text}\n\n"));
            let (open, lookup) = match backend {
                Backend::Sqlite => (
                    "a new connection (closed after)",
                    "one indexed lookup (its first statement reads the schema)",
                ),
                Backend::Postgres => (
                    "a pooled connection cleaned for reuse",
                    "one lookup prepared and executed",
                ),
            };
            if let Some(ratio) = one_variable {
                say(format!(
                    "Every route reads one Spin variable before its handler (`environment`, for the \
                 production check). The probe reading one variable and doing nothing else reaches \
                 {ratio:.2} of the empty component, taking turns with it: no route of the service \
                 can pass that here, the constant ones included."
                ));
            }
            if let Some(floor) = read_floor {
                let cap = bound(&[base, floor]);
                say(format!(
                    "Database floor, measured natively outside the component from {connections} \
                 concurrent workers, server work included: {floor:.0} accesses per second made as the \
                 host makes one for each request ({open}, {lookup}), against {base:.0} req/s for the \
                 empty component. A route that adds one access needs the machine time of both, so it \
                 cannot pass {cap:.0} req/s ({:.2}x of the baseline) here, whatever the component does.",
                    cap / base
                ));
                if let Some(signature) = signature {
                    let cap = bound(&[signature, floor]);
                    say(format!(
                        "`GET /verify` with `session_cache = off` needs one access and one signature \
                     check (the bare check above, {signature:.0} req/s): it cannot pass {cap:.0} req/s \
                     ({:.2}x of the baseline) here. With the cache on (the default, measured above) \
                     it makes no database access for a live session.",
                        cap / base
                    ));
                }
            }
            if let Some(floor) = write_floor {
                let writes = match backend {
                    Backend::Sqlite => "the write pragmas, BEGIN IMMEDIATE, one insert, COMMIT",
                    Backend::Postgres => "BEGIN, one insert, COMMIT",
                };
                say(format!(
                    "Write floor, measured the same way: {floor:.0} accesses per second that read and then \
                 write the least a rotation writes ({open}, {lookup}, {writes})."
                ));
                if let Some(signing) = signing {
                    let cap = bound(&[signing, floor]);
                    say(format!(
                        "`POST /token/refresh` needs such an access and one token signed (the bare signing \
                     above, {signing:.0} req/s): it cannot pass {cap:.0} req/s ({:.2}x of the baseline) \
                     here.",
                        cap / base
                    ));
                }
            }
            if let (Some(refresh), Some(floor)) = (refresh, rotation) {
                say(format!(
                    "Rotation floor, measured on this runtime by the probe (through the same \
                 database interface, on the same database: one indexed read, one write transaction, \
                 one token signed), taking turns with `POST /token/refresh`: {floor:.0} req/s. \
                 `POST /token/refresh` reaches {:.2} of it.",
                    refresh / floor
                ));
                if let Some(cost) = settings_cost {
                    let with_settings = 1.0 / (1.0 / floor + cost);
                    say(format!(
                        "Reading the {} settings a refresh reads here (environment, trusted proxies, \
                     refresh limit, database, signing key, access-token lifetime, issuer, audience) \
                     as Spin variables costs {:.0} µs of machine time per request (the probe \
                     reading as many, taking turns with the empty probe): the rotation floor with \
                     that reading added serves {with_settings:.0} req/s, and `POST /token/refresh` \
                     reaches {:.2} of it.",
                        load::PROBE_VARIABLES,
                        cost * 1e6,
                        refresh / with_settings
                    ));
                }
            }
            // `/verify`'s own ceiling: the empty component, the bare signature check and the
            // settings it reads, each measured beside the empty component in this run. Reads after
            // the first cost less than it (the first is the dearest on Spin), so the reading is
            // the one-variable cost plus a share of the eight-variable one.
            if let (Some((rate, base)), Some(signature), Some(first), Some(eight)) =
                (verified, signature_cost, first_read_cost, settings_cost)
            {
                let reads = VERIFY_SETTINGS.len() as f64;
                let further = (eight - first) / (load::PROBE_VARIABLES as f64 - 1.0);
                let reading = first + (reads - 1.0) * further;
                let ceiling = 1.0 / (1.0 / base + signature + reading);
                say(format!(
                    "`GET /verify` checks one signature ({:.0} µs beyond the empty component, the bare \
                 check above) and reads {} settings ({}): {:.0} µs as Spin variables here (the first \
                 read {:.0} µs, each further one {:.0} µs, from the probe's one- and eight-variable \
                 readings). With nothing else, it cannot pass {ceiling:.0} req/s ({:.2} of the \
                 empty component beside it); it serves {rate:.0} req/s, {:.2} of that ceiling and \
                 {:.2} of the empty component.",
                    signature * 1e6,
                    VERIFY_SETTINGS.len(),
                    VERIFY_SETTINGS.join(", "),
                    reading * 1e6,
                    first * 1e6,
                    further * 1e6,
                    ceiling / base,
                    rate / ceiling,
                    rate / base
                ));
            }
            if let Some(soak) = &soak {
                section.push_str(&format!(
                "Register soak: {connections} connections for {} s: {} registrations, {} errors.\n\n",
                soak.elapsed.as_secs(),
                soak.count,
                soak.errors
            ));
            }
            println!("{section}");
            report.push_str(&section);
            if traps > 0 {
                anyhow::bail!("the component trapped {traps} times");
            }
            app.finish().await;
        }
    }
    let path = component::repo_root().join("target/bench/results.md");
    std::fs::create_dir_all(path.parent().unwrap())?;
    std::fs::write(&path, &report)?;
    println!("written to {}", path.display());
    Ok(())
}

/// Database accesses per second this machine makes natively, as the host makes them (3 s).
async fn floor_rate(
    app: &TestApp,
    backend: Backend,
    access: Access,
    workers: usize,
) -> anyhow::Result<f64> {
    let time = Duration::from_secs(3);
    match backend {
        Backend::Sqlite => floor::sqlite(&app.sqlite_file(), access, workers, time),
        Backend::Postgres => {
            let url = app
                .variables
                .get("database_url")
                .cloned()
                .unwrap_or_default();
            floor::postgres(&url, access, workers, time).await
        }
    }
}

/// CPU per request for the table: blank where it was not measured (alternating runs).
struct Cpu(f64);

impl std::fmt::Display for Cpu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_nan() {
            Ok(())
        } else {
            write!(f, "{:.0}", self.0)
        }
    }
}

fn table(
    backend: &str,
    baseline: &Measurement,
    fixed: &Measurement,
    rows: &[Measurement],
) -> String {
    // Hash-bound endpoints are compared one request at a time with the bare hash measured the same
    // way just before them.
    let mut hash: Option<&Measurement> = None;
    let mut out = String::new();
    let _ = writeln!(out, "## {backend}\n");
    let _ = writeln!(
        out,
        "| endpoint | req/s | p50 ms | p99 ms | CPU µs/req | errors | req/s vs baseline | p50 vs bare hash |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|");
    for m in [baseline, fixed]
        .into_iter()
        .chain(rows.iter())
        .filter(|m| m.count > 0)
    {
        let single = m.name.ends_with("(1 connection)");
        let bare = m.name.starts_with("bare");
        if single && bare {
            hash = Some(m);
        }
        let _ = writeln!(
            out,
            "| {} | {:.0} | {:.2} | {:.2} | {} | {} | {} | {} |",
            m.name,
            m.rps(),
            m.p50_ms(),
            m.p99_ms(),
            Cpu(m.cpu_us_per_request),
            m.errors,
            if single {
                String::new()
            } else {
                format!(
                    "{:.2}x",
                    m.rps() / m.paired_baseline_rps.unwrap_or(baseline.rps())
                )
            },
            if let (true, Some(hash)) = (single, hash) {
                format!("{:.2}x", m.p50_ms() / hash.p50_ms())
            } else {
                String::new()
            }
        );
    }
    if fixed.count > 0 {
        let _ = writeln!(
            out,
            "\nFixed cost every request pays before its handler (unknown route minus empty component): \
             {:.0} µs of CPU per request ({:.0} vs {:.0}).\n",
            fixed.cpu_us_per_request - baseline.cpu_us_per_request,
            fixed.cpu_us_per_request,
            baseline.cpu_us_per_request
        );
    }
    out
}
