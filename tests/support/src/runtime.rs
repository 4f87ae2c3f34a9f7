//! What serves a test app: the native test host, or a real `spin up` (see `spin.rs`).

use crate::spin::{SpinCli, SpinProcess};
use auth_test_host::Server;
use std::net::SocketAddr;

#[derive(Debug, Clone, Copy)]
pub enum Runtime {
    /// The project's test host: moves the clock, counts traps exactly, overrides anything.
    Host,
    /// `spin up` of one of the CLIs named by `AUTH_TEST_SPIN`.
    Spin(&'static SpinCli),
    /// The same, with `runtime-config.redis.toml`: the key-value store in the local Redis.
    SpinRedis(&'static SpinCli),
}

impl Runtime {
    pub fn name(&self) -> String {
        match self {
            Runtime::Host => "test host".to_owned(),
            Runtime::Spin(cli) => cli.version.clone(),
            Runtime::SpinRedis(cli) => format!("{} with Redis", cli.version),
        }
    }
}

/// One serving process of an app (the app itself or a replica on the same database).
pub enum AppServer {
    Host(Server),
    Spin(SpinProcess),
}

impl AppServer {
    pub fn addr(&self) -> SocketAddr {
        match self {
            AppServer::Host(server) => server.addr,
            AppServer::Spin(spin) => spin.addr,
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr())
    }

    /// Waits until no request is running, including work done after a response was sent.
    pub async fn settle(&self) {
        match self {
            AppServer::Host(server) => server.settle().await,
            AppServer::Spin(spin) => spin.settle().await,
        }
    }

    pub fn traps(&self) -> usize {
        match self {
            AppServer::Host(server) => server.traps(),
            AppServer::Spin(spin) => spin.traps(),
        }
    }

    pub fn requests_served(&self) -> usize {
        match self {
            AppServer::Host(server) => server.requests_served(),
            AppServer::Spin(spin) => spin.requests_served(),
        }
    }
}
