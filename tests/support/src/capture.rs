//! A stand-in for an HTTP peer (mail relay, broker): records every request as it arrives and answers
//! as told; can go down (connection refused) and come back on the same port.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;

#[derive(Debug, Clone)]
pub struct Captured {
    pub method: String,
    pub path: String,
    pub headers: http::HeaderMap,
    pub body: Bytes,
    /// The status the server was told to answer with (the client may have given up first).
    pub status: u16,
}

impl Captured {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("captured body is JSON")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub delay: Duration,
}

impl Default for Reply {
    fn default() -> Self {
        Self {
            status: 200,
            body: "{}".to_owned(),
            delay: Duration::ZERO,
        }
    }
}

#[derive(Clone, Default)]
struct Shared {
    requests: Arc<Mutex<Vec<Captured>>>,
    reply: Arc<Mutex<Reply>>,
}

pub struct CaptureServer {
    pub addr: SocketAddr,
    shared: Shared,
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl CaptureServer {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind capture server");
        let addr = listener.local_addr().expect("addr");
        let shared = Shared::default();
        let task = serve(listener, shared.clone());
        Self {
            addr,
            shared,
            task: Mutex::new(Some(task)),
        }
    }

    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn set_reply(&self, reply: Reply) {
        *self.shared.reply.lock().expect("reply") = reply;
    }

    pub fn requests(&self) -> Vec<Captured> {
        self.shared.requests.lock().expect("requests").clone()
    }

    /// Waits (up to 10 s) until at least `n` requests arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<Captured> {
        for _ in 0..200 {
            let got = self.requests();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.requests()
    }

    /// The peer goes down: its port refuses connections.
    pub fn stop(&self) {
        if let Some(task) = self.task.lock().expect("task").take() {
            task.abort();
        }
    }

    /// The peer comes back on the same port.
    pub async fn restart(&self) {
        self.stop();
        let mut listener = None;
        for _ in 0..50 {
            match TcpListener::bind(self.addr).await {
                Ok(l) => {
                    listener = Some(l);
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
        let listener = listener.expect("rebind capture server");
        *self.task.lock().expect("task") = Some(serve(listener, self.shared.clone()));
    }
}

impl Drop for CaptureServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn serve(listener: TcpListener, shared: Shared) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut connections = tokio::task::JoinSet::new();
        while let Ok((stream, _)) = listener.accept().await {
            let shared = shared.clone();
            connections.spawn(async move {
                let service = hyper::service::service_fn(
                    move |req: hyper::Request<hyper::body::Incoming>| {
                        let shared = shared.clone();
                        async move {
                            let (parts, body) = req.into_parts();
                            let body = body
                                .collect()
                                .await
                                .map(|b| b.to_bytes())
                                .unwrap_or_default();
                            let answer = shared.reply.lock().expect("reply").clone();
                            shared.requests.lock().expect("requests").push(Captured {
                                method: parts.method.to_string(),
                                path: parts
                                    .uri
                                    .path_and_query()
                                    .map_or("/".into(), |p| p.to_string()),
                                headers: parts.headers,
                                body,
                                status: answer.status,
                            });
                            tokio::time::sleep(answer.delay).await;
                            let mut response =
                                hyper::Response::new(Full::new(Bytes::from(answer.body)));
                            *response.status_mut() =
                                http::StatusCode::from_u16(answer.status).expect("status");
                            response.headers_mut().insert(
                                "content-type",
                                http::HeaderValue::from_static("application/json"),
                            );
                            Ok::<_, std::convert::Infallible>(response)
                        }
                    },
                );
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}
