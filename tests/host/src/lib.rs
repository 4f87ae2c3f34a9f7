//! A native Spin host for tests and benchmarks: runs the real compiled component under wasmtime,
//! one fresh instance per request, with the Spin interfaces it imports backed by real SQLite,
//! PostgreSQL and HTTP and an in-memory key-value store, configured from the real `spin.toml`.

mod clock;
pub mod component;
mod key_value;
mod manifest;
mod outbound;
mod postgres;
mod server;
mod sqlite;
mod variables;

pub use clock::TestClock;
pub use key_value::KeyValue;
pub use manifest::{AppVariable, Manifest};
pub use postgres::CLEAN as POSTGRES_CLEAN;
pub use server::Server;
/// Where the component's output goes when a test keeps it (`HostConfig::log`).
pub use wasmtime_wasi::p2::pipe::MemoryOutputPipe;

use anyhow::Result;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use wasmtime::component::{Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::p2::pipe::SinkOutputStream;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

/// The Spin interfaces of the component's world, as host traits. Kept private: the crate's users
/// drive the host through `Server`, not through the bindings.
mod bindings {
    wasmtime::component::bindgen!({
        // The repository's `wit/`, two levels above this crate.
        path: "../../wit",
        world: "chatty:auth-service/spin-imports",
        imports: { default: async | trappable },
        with: {
            "fermyon:spin/sqlite.connection": crate::sqlite::Connection,
            "fermyon:spin/key-value.store": crate::key_value::OpenStore,
            "spin:postgres/postgres.connection": crate::postgres::Connection,
        },
    });
}

/// Everything a test controls about one running app.
pub struct HostConfig {
    pub manifest: Manifest,
    /// Values for application variables, as `SPIN_VARIABLE_*` or a provider would give them.
    pub variables: HashMap<String, String>,
    pub sqlite_path: PathBuf,
    /// The default key-value store; replicas of one app share it.
    pub key_value: KeyValue,
    pub clock: TestClock,
    /// Where the component's stdout and stderr go; `None` discards them.
    pub log: Option<MemoryOutputPipe>,
}

/// State shared by every request of one app.
pub(crate) struct App {
    manifest: Manifest,
    variables: variables::Resolver,
    allowed: outbound::AllowedHosts,
    sqlite_path: PathBuf,
    key_value: KeyValue,
    pg_pool: Arc<postgres::Pool>,
    clock: TestClock,
    log: Option<MemoryOutputPipe>,
    /// Requests whose instance trapped: a panic in the component, which must never happen.
    traps: AtomicUsize,
    /// Requests served.
    requests: AtomicUsize,
}

/// Per-request store data.
pub(crate) struct HostState {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    hooks: outbound::Hooks,
    table: ResourceTable,
    app: Arc<App>,
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for HostState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.hooks,
        }
    }
}

impl App {
    fn new(config: HostConfig) -> Result<Arc<Self>> {
        let variables = variables::Resolver::new(&config.manifest, &config.variables)?;
        let allowed =
            outbound::AllowedHosts::resolve(&config.manifest.allowed_outbound_hosts, |t| {
                variables.render(t)
            });
        Ok(Arc::new(Self {
            manifest: config.manifest,
            variables,
            allowed,
            sqlite_path: config.sqlite_path,
            key_value: config.key_value,
            pg_pool: Arc::default(),
            clock: config.clock,
            log: config.log,
            traps: AtomicUsize::new(0),
            requests: AtomicUsize::new(0),
        }))
    }

    fn new_store(self: &Arc<Self>, engine: &Engine) -> Store<HostState> {
        let mut wasi = WasiCtx::builder();
        wasi.wall_clock(self.clock.clone());
        match &self.log {
            Some(pipe) => {
                wasi.stdout(pipe.clone()).stderr(pipe.clone());
            }
            None => {
                wasi.stdout(SinkOutputStream).stderr(SinkOutputStream);
            }
        }
        Store::new(
            engine,
            HostState {
                wasi: wasi.build(),
                http: WasiHttpCtx::new(),
                hooks: outbound::Hooks {
                    allowed: self.allowed.clone(),
                },
                table: ResourceTable::new(),
                app: self.clone(),
            },
        )
    }
}

/// Links WASI, wasi-http and the Spin interfaces, and pre-instantiates the component.
fn prepare(
    engine: &Engine,
    component: &wasmtime::component::Component,
) -> Result<ProxyPre<HostState>> {
    let mut linker = Linker::<HostState>::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
    bindings::SpinImports::add_to_linker::<HostState, wasmtime::component::HasSelf<HostState>>(
        &mut linker,
        |s| s,
    )?;
    Ok(ProxyPre::new(linker.instantiate_pre(component)?)?)
}
