//! RabbitMQ through its management HTTP API: an exchange and a bound queue per test, and the
//! messages that reached the queue.

use crate::client::Client;
use bytes::Bytes;
use http_body_util::Full;
use serde_json::{Value, json};

/// The management API; override with `AUTH_TEST_RABBITMQ_API`.
pub fn api_origin() -> String {
    std::env::var("AUTH_TEST_RABBITMQ_API").unwrap_or_else(|_| "http://127.0.0.1:15672".to_owned())
}

pub struct Rabbit {
    client: Client,
    pub exchange: String,
    pub queue: String,
}

#[derive(Debug, Clone)]
pub struct Delivered {
    pub routing_key: String,
    pub properties: Value,
    pub payload: Value,
}

impl Rabbit {
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let request = self
            .client
            .request(method, path)
            .header("authorization", "Basic Z3Vlc3Q6Z3Vlc3Q=")
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(
                body.map(|b| b.to_string()).unwrap_or_default(),
            )))
            .expect("request");
        let response = self.client.send(request).await;
        (
            response.status,
            serde_json::from_slice(&response.body).unwrap_or(Value::Null),
        )
    }

    /// A fresh exchange name and queue; `None` (one line on stderr) when the API is unreachable
    /// outside CI. Under `CI=true` an unreachable broker fails the test.
    pub async fn connect() -> Option<Self> {
        let rabbit = Self {
            client: Client::new(api_origin()),
            exchange: crate::databases::unique_name("auth_events"),
            queue: crate::databases::unique_name("auth_test_q"),
        };
        let reachable = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            rabbit.call("GET", "/api/overview", None),
        )
        .await
        .is_ok_and(|(status, _)| status == 200);
        if !reachable {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!(
                    "RabbitMQ's management API at {} is unreachable under CI=true",
                    api_origin()
                );
            }
            eprintln!(
                "skipping: RabbitMQ's management API at {} is unreachable",
                api_origin()
            );
            return None;
        }
        Some(rabbit)
    }

    /// Declares the exchange (as the service would) and binds a queue to `pattern`.
    pub async fn bind(&self, pattern: &str) {
        let (status, body) = self
            .call(
                "PUT",
                &format!("/api/exchanges/%2F/{}", self.exchange),
                Some(json!({"type": "topic", "durable": true})),
            )
            .await;
        assert!(status < 300, "declare exchange: {status} {body}");
        self.bind_queue(pattern).await;
    }

    /// Binds the queue to an exchange that already exists (for example one the service declared).
    pub async fn bind_queue(&self, pattern: &str) {
        let (status, body) = self
            .call(
                "PUT",
                &format!("/api/queues/%2F/{}", self.queue),
                Some(json!({"durable": false, "auto_delete": false})),
            )
            .await;
        assert!(status < 300, "declare queue: {status} {body}");
        let (status, body) = self
            .call(
                "POST",
                &format!("/api/bindings/%2F/e/{}/q/{}", self.exchange, self.queue),
                Some(json!({"routing_key": pattern})),
            )
            .await;
        assert!(status < 300, "bind: {status} {body}");
    }

    pub async fn exchange_exists(&self) -> Option<Value> {
        let (status, body) = self
            .call(
                "GET",
                &format!("/api/exchanges/%2F/{}", self.exchange),
                None,
            )
            .await;
        (status == 200).then_some(body)
    }

    /// Takes every message waiting in the queue.
    pub async fn take(&self) -> Vec<Delivered> {
        let (status, body) = self
            .call(
                "POST",
                &format!("/api/queues/%2F/{}/get", self.queue),
                Some(json!({"count": 1000, "ackmode": "ack_requeue_false", "encoding": "auto"})),
            )
            .await;
        assert_eq!(status, 200, "get: {body}");
        body.as_array()
            .expect("the queue's messages, as an array")
            .iter()
            .map(|m| Delivered {
                routing_key: m["routing_key"].as_str().expect("a routing key").to_owned(),
                properties: m["properties"].clone(),
                payload: serde_json::from_str(m["payload"].as_str().expect("a text payload"))
                    .expect("payload is JSON"),
            })
            .collect()
    }

    /// Waits (up to 10 s) until `n` messages have been taken from the queue in total.
    pub async fn take_at_least(&self, n: usize) -> Vec<Delivered> {
        let mut all = Vec::new();
        for _ in 0..100 {
            all.extend(self.take().await);
            if all.len() >= n {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        all
    }

    pub async fn cleanup(&self) {
        let _ = self
            .call("DELETE", &format!("/api/queues/%2F/{}", self.queue), None)
            .await;
        let _ = self
            .call(
                "DELETE",
                &format!("/api/exchanges/%2F/{}", self.exchange),
                None,
            )
            .await;
    }
}
