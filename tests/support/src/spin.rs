//! Real Spin: the API suite's second runtime. `AUTH_TEST_SPIN` names one or more Spin CLIs
//! (comma-separated paths); each test that does not need the test host (see `host_only.rs`) then
//! also runs under `spin up` of each, started the way a user starts it: this repository's
//! `spin.toml`, variables as `SPIN_VARIABLE_*`, a fresh state directory (and so a fresh SQLite
//! database) per app.

use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One Spin CLI named by `AUTH_TEST_SPIN`.
#[derive(Debug, Clone)]
pub struct SpinCli {
    pub path: PathBuf,
    pub version: String,
}

/// The Spin CLIs to run the suite on; empty when `AUTH_TEST_SPIN` is unset.
pub fn clis() -> &'static [SpinCli] {
    static CLIS: std::sync::OnceLock<Vec<SpinCli>> = std::sync::OnceLock::new();
    CLIS.get_or_init(|| {
        let Ok(list) = std::env::var("AUTH_TEST_SPIN") else {
            // CI must prove the component on real Spin, not only on the test host.
            assert!(
                !std::env::var("CI").is_ok_and(|v| v == "true"),
                "CI=true needs AUTH_TEST_SPIN (the Spin CLIs to run the suite on)"
            );
            return Vec::new();
        };
        named_in("AUTH_TEST_SPIN", &list)
    })
}

/// The CLIs in a comma-separated list of paths (`variable` names it in errors).
pub fn named_in(variable: &str, list: &str) -> Vec<SpinCli> {
    list.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let path = PathBuf::from(p);
            let out = Command::new(&path)
                .arg("--version")
                .output()
                .unwrap_or_else(|e| panic!("{variable}: cannot run {p}: {e}"));
            assert!(out.status.success(), "{variable}: {p} --version failed");
            let version = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            SpinCli { path, version }
        })
        .collect()
}

/// Arguments and environment added to a `spin up` (a runtime configuration file, telemetry).
#[derive(Debug, Clone, Default)]
pub struct Extra {
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    /// Where `spin up` runs (relative paths of a runtime configuration resolve from there).
    pub current_dir: Option<PathBuf>,
    /// Another application's manifest instead of this repository's `spin.toml`.
    pub manifest: Option<PathBuf>,
}

/// A `spin up` process serving this repository's app on a free port of 127.0.0.1.
pub struct SpinProcess {
    pub addr: SocketAddr,
    child: Child,
    stderr_path: PathBuf,
}

impl SpinProcess {
    /// Starts `spin up` with these variables and state directory and waits until it listens.
    /// The component must already be built (`component::build`); `spin up` does not build it.
    pub fn start(cli: &SpinCli, variables: &[(String, String)], state_dir: &Path) -> Self {
        Self::start_with(cli, variables, state_dir, &Extra::default())
            .unwrap_or_else(|e| panic!("{} did not start: {e}", cli.version))
    }

    /// Like `start`, with more arguments and environment; the error says why Spin did not start.
    pub fn start_with(
        cli: &SpinCli,
        variables: &[(String, String)],
        state_dir: &Path,
        extra: &Extra,
    ) -> Result<Self, String> {
        let mut last_error = String::new();
        // A port picked free can be taken before Spin binds it: try a few.
        for _ in 0..3 {
            match Self::try_start(cli, variables, state_dir, extra) {
                Ok(process) => return Ok(process),
                Err(e) => last_error = e,
            }
        }
        Err(last_error)
    }

    fn try_start(
        cli: &SpinCli,
        variables: &[(String, String)],
        state_dir: &Path,
        extra: &Extra,
    ) -> Result<Self, String> {
        let addr = free_port();
        let manifest = extra
            .manifest
            .clone()
            .unwrap_or_else(|| auth_test_host::component::repo_root().join("spin.toml"));
        let stderr_path = state_dir.join(format!("spin-{}.stderr", addr.port()));
        let stdout_path = state_dir.join(format!("spin-{}.stdout", addr.port()));
        let file = |p: &Path| std::fs::File::create(p).map_err(|e| e.to_string());
        let mut command = Command::new(&cli.path);
        command
            .arg("up")
            .arg("--from")
            .arg(&manifest)
            .arg("--listen")
            .arg(addr.to_string())
            .arg("--state-dir")
            .arg(state_dir)
            // The trigger's trace marks the end of every instance (`settle`); a benchmark, which
            // needs no settling, turns it off (AUTH_SPIN_QUIET) so that it costs nothing.
            .env(
                "RUST_LOG",
                if std::env::var_os("AUTH_SPIN_QUIET").is_some() {
                    "warn"
                } else {
                    "spin_trigger_http=trace"
                },
            )
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(file(&stdout_path)?)
            .stderr(file(&stderr_path)?);
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("SPIN_VARIABLE_") {
                command.env_remove(key);
            }
        }
        for (name, value) in variables {
            command.env(format!("SPIN_VARIABLE_{}", name.to_uppercase()), value);
        }
        command.args(&extra.args).envs(extra.env.iter().cloned());
        if let Some(dir) = &extra.current_dir {
            command.current_dir(dir);
        }
        let mut child = command.spawn().map_err(|e| e.to_string())?;
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!(
                    "exited with {status}: {}",
                    read_lossy(&stderr_path)
                ));
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return Ok(Self {
                    addr,
                    child,
                    stderr_path,
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        Err(format!(
            "not listening after 60 s: {}",
            read_lossy(&stderr_path)
        ))
    }

    /// What Spin itself wrote (its trace of each request, errors, traps).
    pub fn stderr(&self) -> String {
        read_lossy(&self.stderr_path)
    }

    /// Waits until every instance Spin started has returned, including work after the response.
    pub async fn settle(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let log = self.stderr();
            let started = log.matches(REQUEST_STARTED).count();
            let ended = log.matches(INSTANCE_ENDED).count() + log.matches(REQUEST_FAILED).count();
            if ended >= started || Instant::now() > deadline {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub fn requests_served(&self) -> usize {
        self.stderr().matches(REQUEST_STARTED).count()
    }

    /// Requests whose instance trapped (a panic in the component, which must never happen).
    pub fn traps(&self) -> usize {
        self.stderr().matches("wasm trap").count()
    }
}

/// Spin's HTTP trigger traces these once per request, and once per instance that returned or
/// failed (a trap, or a request Spin refused to hand to the component).
const REQUEST_STARTED: &str = "Processing request";
const INSTANCE_ENDED: &str = "memory consumed";
const REQUEST_FAILED: &str = "Error processing request";

impl Drop for SpinProcess {
    fn drop(&mut self) {
        // `spin up` runs the trigger as a child process of its own, which outlives a killed parent:
        // the whole tree goes, children first.
        let mut pids = descendants(self.child.id());
        pids.reverse();
        if !pids.is_empty() {
            let _ = Command::new("kill")
                .arg("-KILL")
                .args(pids.iter().map(u32::to_string))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every process below `pid`, parents before their children, read from `/proc`.
fn descendants(pid: u32) -> Vec<u32> {
    let mut found = Vec::new();
    let mut queue = vec![pid];
    while let Some(parent) = queue.pop() {
        let tasks = std::fs::read_dir(format!("/proc/{parent}/task"));
        for task in tasks.into_iter().flatten().flatten() {
            let children =
                std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
            for child in children.split_whitespace().filter_map(|c| c.parse().ok()) {
                found.push(child);
                queue.push(child);
            }
        }
    }
    found
}

fn free_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
}

fn read_lossy(path: &Path) -> String {
    let mut bytes = Vec::new();
    let _ = std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes));
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The component's own output under Spin: the files Spin writes to `<state dir>/logs`.
pub fn component_log(state_dir: &Path) -> String {
    ["auth-service_stdout.txt", "auth-service_stderr.txt"]
        .iter()
        .map(|f| read_lossy(&state_dir.join("logs").join(f)))
        .collect()
}
