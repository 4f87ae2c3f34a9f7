//! A plain HTTP/1.1 client for the app, with responses read in full.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as Hyper;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use std::net::IpAddr;

#[derive(Clone)]
pub struct Client {
    pub base: String,
    inner: Hyper<HttpConnector, Full<Bytes>>,
}

#[derive(Debug, Clone)]
pub struct TestResponse {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): status {} body {:?}",
                self.status,
                self.text()
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a problem+json answer with this status and code, and returns its body.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, code: &str) -> Value {
        assert_eq!(
            self.status,
            status,
            "unexpected status; body: {}",
            self.text()
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "body: {}",
            self.text()
        );
        let body = self.json();
        assert_eq!(body["code"], code, "body: {body}");
        assert_eq!(body["status"], status);
        assert!(
            body["title"].is_string() && body["detail"].is_string() && body["type"].is_string()
        );
        body
    }
}

const ANSWER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

impl Client {
    pub fn new(base: String) -> Self {
        Self::with_local_address(base, None)
    }

    /// A client whose connections come from `local` (any 127.x.y.z works on loopback): how tests
    /// appear as different client addresses.
    pub fn with_local_address(base: String, local: Option<IpAddr>) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_local_address(local);
        let inner = Hyper::builder(TokioExecutor::new()).build(connector);
        Self { base, inner }
    }

    /// Sends a request and reads the whole answer. A request left hanging fails the test after
    /// `ANSWER_TIMEOUT` rather than stalling the suite (a runtime bug can hang a request forever).
    pub async fn send(&self, request: http::Request<Full<Bytes>>) -> TestResponse {
        let what = format!("{} {}", request.method(), request.uri());
        let exchange = async {
            let response = self
                .connect_and_send(request)
                .await
                .expect("request failed");
            let (parts, body) = response.into_parts();
            (parts, body.collect().await.expect("read body").to_bytes())
        };
        let (parts, body) = tokio::time::timeout(ANSWER_TIMEOUT, exchange)
            .await
            .unwrap_or_else(|_| panic!("{what}: no answer within {ANSWER_TIMEOUT:?}"));
        TestResponse {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body,
        }
    }

    /// A request whose connection could not be made (refused or reset before any byte of it was
    /// sent; a loaded 2-core machine makes a fresh listener do that now and then) is sent once more.
    /// Nothing the app answered is ever retried.
    async fn connect_and_send(
        &self,
        request: http::Request<Full<Bytes>>,
    ) -> Result<http::Response<hyper::body::Incoming>, hyper_util::client::legacy::Error> {
        let (parts, body) = request.into_parts();
        let again = || {
            let mut retry = http::Request::new(body.clone());
            *retry.method_mut() = parts.method.clone();
            *retry.uri_mut() = parts.uri.clone();
            *retry.version_mut() = parts.version;
            *retry.headers_mut() = parts.headers.clone();
            retry
        };
        match self.inner.request(again()).await {
            Err(e) if e.is_connect() => {
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                self.inner.request(again()).await
            }
            answered => answered,
        }
    }

    pub fn request(&self, method: &str, path: &str) -> http::request::Builder {
        http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> TestResponse {
        let mut builder = self.request("GET", path);
        if let Some(token) = token {
            builder = builder.header("authorization", format!("Bearer {token}"));
        }
        self.send(builder.body(Full::default()).expect("request"))
            .await
    }

    pub async fn post_json(&self, path: &str, body: &Value, token: Option<&str>) -> TestResponse {
        let mut builder = self
            .request("POST", path)
            .header("content-type", "application/json");
        if let Some(token) = token {
            builder = builder.header("authorization", format!("Bearer {token}"));
        }
        self.send(
            builder
                .body(Full::new(Bytes::from(body.to_string())))
                .expect("request"),
        )
        .await
    }

    /// Any method, with an optional JSON body and bearer token.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        token: Option<&str>,
    ) -> TestResponse {
        let mut builder = self.request(method, path);
        if let Some(token) = token {
            builder = builder.header("authorization", format!("Bearer {token}"));
        }
        let body = match body {
            Some(body) => {
                builder = builder.header("content-type", "application/json");
                Full::new(Bytes::from(body.to_string()))
            }
            None => Full::default(),
        };
        self.send(builder.body(body).expect("request")).await
    }

    pub async fn post_raw(
        &self,
        path: &str,
        content_type: Option<&str>,
        body: impl Into<Bytes>,
    ) -> TestResponse {
        let mut builder = self.request("POST", path);
        if let Some(ct) = content_type {
            builder = builder.header("content-type", ct);
        }
        self.send(builder.body(Full::new(body.into())).expect("request"))
            .await
    }
}
