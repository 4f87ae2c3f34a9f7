//! Building and compiling the component: once per process, with the build command `spin.toml` gives,
//! and a machine-code cache keyed by the `.wasm` bytes so repeated runs skip compilation.

use super::manifest::Manifest;
use anyhow::{Context, Result, ensure};
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::OnceLock;
use wasmtime::component::Component;
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn manifest() -> Result<Manifest> {
    Manifest::load(&repo_root().join("spin.toml"))
}

fn once<T>(
    cell: &'static OnceLock<std::result::Result<T, String>>,
    init: impl FnOnce() -> Result<T>,
) -> Result<&'static T> {
    cell.get_or_init(|| init().map_err(|e| format!("{e:#}")))
        .as_ref()
        .map_err(|e| anyhow::anyhow!("{e}"))
}

/// One engine per process. Like Spin, it pre-allocates instance slots (the pooling allocator), so
/// that a fresh instance per request costs what it costs under Spin.
pub fn engine() -> Result<&'static Engine> {
    static ENGINE: OnceLock<std::result::Result<Engine, String>> = OnceLock::new();
    once(&ENGINE, || {
        let mut pooling = PoolingAllocationConfig::default();
        pooling.total_component_instances(1000);
        pooling.total_core_instances(1000);
        pooling.total_memories(1000);
        pooling.total_tables(1000);
        // argon2id at the configurable costs needs tens of MiB per instance.
        pooling.max_memory_size(256 << 20);
        let mut config = Config::new();
        config.wasm_component_model(true);
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pooling));
        // For profiling the benchmark with `perf record`: names compiled Wasm functions in /tmp/perf-*.map.
        if std::env::var_os("HOST_PERFMAP").is_some() {
            config.profiler(wasmtime::ProfilingStrategy::PerfMap);
        }
        Ok(Engine::new(&config)?)
    })
}

/// The auth_service component, built by the manifest's build command and compiled once.
pub fn compiled() -> Result<(&'static Engine, &'static Component)> {
    static COMPILED: OnceLock<std::result::Result<Component, String>> = OnceLock::new();
    let engine = engine()?;
    let component = once(&COMPILED, || {
        let manifest = manifest()?;
        built()?;
        let wasm = std::fs::read(&manifest.source)
            .with_context(|| format!("reading {}", manifest.source.display()))?;
        load_cached(engine, &wasm)
    })?;
    Ok((engine, component))
}

/// The component built by the manifest's build command, once per process (for real Spin, which
/// serves the `.wasm` file and does not build it).
pub fn built() -> Result<()> {
    static BUILT: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    once(&BUILT, || build(&manifest()?)).copied()
}

/// Any other component file (the benchmark's baseline probe), compiled with the same engine.
#[allow(dead_code, reason = "used by the benchmark, not by the test suite")]
pub fn compile_file(path: &std::path::Path) -> Result<Component> {
    let wasm = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    load_cached(engine()?, &wasm)
}

/// Runs `[component.*.build] command` from the manifest directory, as `spin build` would.
pub fn build(manifest: &Manifest) -> Result<()> {
    ensure_wasm_target();
    let command = manifest
        .build_command
        .as_deref()
        .context("spin.toml has no build command")?;
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(&manifest.dir)
        .status()
        .with_context(|| format!("running {command:?}"))?;
    ensure!(
        status.success(),
        "build command {command:?} failed: {status}"
    );
    Ok(())
}

/// rustup installs `rust-toolchain.toml`'s targets only with the toolchain itself: a machine that had
/// the pinned toolchain already may lack `wasm32-wasip2`. Adding it here (to the toolchain running the
/// tests) keeps `cargo test` one step.
fn ensure_wasm_target() {
    let installed = std::process::Command::new("rustup")
        .args(["target", "list", "--installed"])
        .current_dir(repo_root())
        .output();
    // Without rustup (a toolchain from elsewhere) the build command reports what is missing.
    if let Ok(out) = installed
        && out.status.success()
        && !String::from_utf8_lossy(&out.stdout)
            .lines()
            .any(|t| t.trim() == "wasm32-wasip2")
    {
        let _ = std::process::Command::new("rustup")
            .args(["target", "add", "wasm32-wasip2"])
            .current_dir(repo_root())
            .status();
    }
}

fn load_cached(engine: &Engine, wasm: &[u8]) -> Result<Component> {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    wasm.hash(&mut hasher);
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    let dir = repo_root().join("target").join("test-host-cache");
    let path = dir.join(format!("{:016x}.cwasm", hasher.finish()));
    if path.exists() {
        // SAFETY: the file was written by `Component::serialize` from this same engine configuration
        // and wasmtime version (the key includes the wasm bytes; wasmtime checks its own version).
        #[allow(unsafe_code)]
        let cached = unsafe { Component::deserialize_file(engine, &path) };
        if let Ok(component) = cached {
            return Ok(component);
        }
    }
    let component = Component::new(engine, wasm)
        .map_err(|e| anyhow::Error::from(e).context("compiling the component"))?;
    std::fs::create_dir_all(&dir)?;
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, component.serialize()?)?;
    std::fs::rename(&tmp, &path)?;
    Ok(component)
}
