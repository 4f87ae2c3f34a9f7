//! Serving the component over HTTP on 127.0.0.1, the way Spin's HTTP trigger does: one fresh
//! instance per request, Spin's request headers appended after the client's, and a trap answered
//! with an empty 500.

use super::{App, HostConfig, HostState};
use anyhow::Result;
use http_body_util::BodyExt;
use hyper::server::conn::http1;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use wasmtime::Store;
use wasmtime_wasi_http::WasiHttpView;
use wasmtime_wasi_http::io::TokioIo;
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::p2::body::HyperOutgoingBody;

pub struct Server {
    pub addr: SocketAddr,
    app: Arc<App>,
    inflight: Arc<InFlight>,
    task: tokio::task::JoinHandle<()>,
}

/// Requests still running (a handler may keep working after its response is sent).
#[derive(Default)]
struct InFlight {
    count: AtomicUsize,
    idle: Notify,
}

struct Shared {
    pre: ProxyPre<HostState>,
    app: Arc<App>,
    addr: SocketAddr,
    inflight: Arc<InFlight>,
}

impl Server {
    /// Starts serving on a free port of 127.0.0.1.
    pub async fn start(config: HostConfig) -> Result<Self> {
        let (_, component) = super::component::compiled()?;
        Self::start_with(config, component).await
    }

    /// Serves another component (the benchmark's baseline probe) with the same host.
    pub async fn start_with(
        config: HostConfig,
        component: &wasmtime::component::Component,
    ) -> Result<Self> {
        let engine = super::component::engine()?;
        let app = App::new(config)?;
        let pre = super::prepare(engine, component)?;
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let inflight = Arc::new(InFlight::default());
        let shared = Arc::new(Shared {
            pre,
            app: app.clone(),
            addr,
            inflight: inflight.clone(),
        });
        let task = tokio::spawn(async move {
            while let Ok((stream, peer)) = listener.accept().await {
                let shared = shared.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        let shared = shared.clone();
                        async move { shared.handle(req, peer).await }
                    });
                    let _ = http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(Self {
            addr,
            app,
            inflight,
            task,
        })
    }

    /// Waits until no request is running, including work done after a response was sent.
    pub async fn settle(&self) {
        loop {
            let idle = self.inflight.idle.notified();
            if self.inflight.count.load(Ordering::SeqCst) == 0 {
                return;
            }
            idle.await;
        }
    }

    pub fn traps(&self) -> usize {
        self.app.traps.load(Ordering::SeqCst)
    }

    pub fn requests_served(&self) -> usize {
        self.app.requests.load(Ordering::SeqCst)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Shared {
    async fn handle(
        self: Arc<Self>,
        req: hyper::Request<hyper::body::Incoming>,
        peer: SocketAddr,
    ) -> Result<hyper::Response<HyperOutgoingBody>> {
        let (mut parts, body) = req.into_parts();
        let path_and_query = parts
            .uri
            .path_and_query()
            .map_or("/".to_owned(), |pq| pq.as_str().to_owned());
        let host = parts
            .headers
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .map_or_else(|| self.addr.to_string(), str::to_owned);
        parts.uri = format!("http://{host}{path_and_query}").parse()?;
        let route = self.app.manifest.route.clone();
        let path = parts.uri.path().to_owned();
        let spin_headers = [
            ("spin-path-info", path_info(&route, &path)),
            ("spin-full-url", format!("http://{host}{path_and_query}")),
            ("spin-matched-route", route.clone()),
            ("spin-base-path", "/".to_owned()),
            ("spin-raw-component-route", route.clone()),
            (
                "spin-component-route",
                route.trim_end_matches("/...").to_owned(),
            ),
            ("spin-client-addr", peer.to_string()),
        ];
        for (name, value) in spin_headers {
            parts.headers.append(name, value.parse()?);
        }
        let req = hyper::Request::from_parts(parts, body.map_err(wasmtime_wasi_http::Error::from));

        let mut store: Store<HostState> = self.app.new_store(self.pre.engine());
        let (sender, receiver) = tokio::sync::oneshot::channel();
        let req = store
            .data_mut()
            .http()
            .new_incoming_request(Scheme::Http, req)?;
        let out = store.data_mut().http().new_response_outparam(sender)?;
        let pre = self.pre.clone();
        let app = self.app.clone();
        let inflight = self.inflight.clone();
        inflight.count.fetch_add(1, Ordering::SeqCst);
        app.requests.fetch_add(1, Ordering::SeqCst);
        tokio::spawn(async move {
            let result = async {
                let proxy = pre.instantiate_async(&mut store).await?;
                proxy
                    .wasi_http_incoming_handler()
                    .call_handle(&mut store, req, out)
                    .await
            }
            .await;
            if let Err(e) = result {
                app.traps.fetch_add(1, Ordering::SeqCst);
                eprintln!("component trapped: {e:?}");
            }
            drop(store);
            if inflight.count.fetch_sub(1, Ordering::SeqCst) == 1 {
                inflight.idle.notify_waiters();
            }
        });
        match receiver.await {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(code)) => {
                eprintln!("component answered with error code {code:?}");
                Ok(empty_500())
            }
            Err(_) => Ok(empty_500()),
        }
    }
}

fn empty_500() -> hyper::Response<HyperOutgoingBody> {
    let body = http_body_util::Empty::new()
        .map_err(|never| match never {})
        .boxed_unsync();
    let mut response = hyper::Response::new(body);
    *response.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
    response
}

/// The part of the path the wildcard matched, as Spin computes it for `/prefix/...` routes.
fn path_info(route: &str, path: &str) -> String {
    let prefix = route.trim_end_matches("/...");
    path.strip_prefix(prefix).unwrap_or(path).to_owned()
}

#[cfg(test)]
mod tests {
    use super::path_info;

    #[test]
    fn path_info_is_what_the_wildcard_matched() {
        assert_eq!(path_info("/...", "/health"), "/health");
        assert_eq!(path_info("/auth/...", "/auth/login"), "/login");
        assert_eq!(path_info("/auth/...", "/auth"), "");
    }
}
