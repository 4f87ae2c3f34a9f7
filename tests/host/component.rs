//! Building and compiling the component: once per process, with the build command `spin.toml` gives,
//! and a machine-code cache keyed by the `.wasm` bytes so repeated runs skip compilation.

use super::manifest::Manifest;
use anyhow::{Context, Result, ensure};
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::OnceLock;
use wasmtime::component::Component;
use wasmtime::{Config, Engine};

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn manifest() -> Result<Manifest> {
    Manifest::load(&repo_root().join("spin.toml"))
}

/// The engine and the compiled component, shared by every app in this process.
pub fn compiled() -> Result<&'static (Engine, Component)> {
    static COMPILED: OnceLock<std::result::Result<(Engine, Component), String>> = OnceLock::new();
    COMPILED
        .get_or_init(|| build_and_compile().map_err(|e| format!("{e:#}")))
        .as_ref()
        .map_err(|e| anyhow::anyhow!("{e}"))
}

pub fn engine() -> Result<Engine> {
    let mut config = Config::new();
    config.wasm_component_model(true);
    Ok(Engine::new(&config)?)
}

fn build_and_compile() -> Result<(Engine, Component)> {
    let manifest = manifest()?;
    build(&manifest)?;
    let wasm = std::fs::read(&manifest.source)
        .with_context(|| format!("reading {}", manifest.source.display()))?;
    let engine = engine()?;
    let component = load_cached(&engine, &wasm)?;
    Ok((engine, component))
}

/// Runs `[component.*.build] command` from the manifest directory, as `spin build` would.
pub fn build(manifest: &Manifest) -> Result<()> {
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

fn load_cached(engine: &Engine, wasm: &[u8]) -> Result<Component> {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    wasm.hash(&mut hasher);
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    let dir = repo_root().join("target").join("test-host-cache");
    let path = dir.join(format!("{:016x}.cwasm", hasher.finish()));
    if path.exists() {
        // SAFETY: the file was written by `Component::serialize` from this same engine configuration
        // and wasmtime version (the key includes the wasm bytes; wasmtime checks its own version).
        if let Ok(component) = unsafe { Component::deserialize_file(engine, &path) } {
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
