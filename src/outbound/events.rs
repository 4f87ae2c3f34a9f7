//! Domain events: CloudEvents 1.0 (structured JSON) published to a RabbitMQ topic exchange through
//! the broker's HTTP API. The exchange is declared (durable) when missing; an unroutable publish
//! counts as not delivered.

use super::client::{self, Request, SendError, Timeouts, path_segment};
use crate::config::Broker;
use crate::domain::events::Event;
use crate::domain::time::rfc3339;
use serde_json::{Value, json};
use wasi::http::types::Method;

pub const CONTENT_TYPE: &str = "application/cloudevents+json";

/// The CloudEvents document, with the event's own payload as `data`.
pub fn cloud_event(
    id: &str,
    event: &Event<'_>,
    source: &str,
    now: i64,
) -> Result<Value, serde_json::Error> {
    Ok(json!({
        "specversion": "1.0",
        "id": id,
        "source": source,
        "type": format!("chatty.auth.{}", event.routing_key()),
        "time": rfc3339(now),
        "datacontenttype": "application/json",
        "data": serde_json::to_value(event)?,
    }))
}

fn publish_body(id: &str, routing_key: &str, event: &str) -> Value {
    json!({
        "properties": {
            "message_id": id,
            "content_type": CONTENT_TYPE,
            "delivery_mode": 2,
            "app_id": "auth_service",
        },
        "routing_key": routing_key,
        "payload": event,
        "payload_encoding": "string",
    })
}

fn call(
    broker: &Broker,
    method: Method,
    path: &str,
    body: &Value,
    timeouts: Timeouts,
) -> Result<client::Response, SendError> {
    let credentials = ct_codecs_basic(&broker.username, broker.password.expose());
    client::send(
        Request {
            method,
            origin: &broker.origin,
            path,
            headers: vec![
                ("content-type", "application/json".to_owned()),
                ("authorization", format!("Basic {credentials}")),
            ],
            body: body.to_string().into_bytes(),
        },
        timeouts,
    )
}

fn ct_codecs_basic(user: &str, password: &str) -> String {
    use ct_codecs::{Base64, Encoder};
    Base64::encode_to_string(format!("{user}:{password}")).unwrap_or_default()
}

/// Publishes one stored event (its JSON text) under its routing key.
pub fn publish(
    broker: &Broker,
    id: &str,
    routing_key: &str,
    event: &str,
    timeouts: Timeouts,
) -> Result<(), SendError> {
    let vhost = path_segment(&broker.vhost);
    let exchange = path_segment(&broker.exchange);
    let publish_path = format!("/api/exchanges/{vhost}/{exchange}/publish");
    let body = publish_body(id, routing_key, event);
    let mut response = call(broker, Method::Post, &publish_path, &body, timeouts)?;
    if exchange_missing(&response) {
        // The exchange does not exist yet: declare it, then publish again.
        let declared = call(
            broker,
            Method::Put,
            &format!("/api/exchanges/{vhost}/{exchange}"),
            &json!({"type": "topic", "durable": true, "auto_delete": false, "internal": false}),
            timeouts,
        )?;
        if !(200..300).contains(&declared.status) {
            return Err(SendError(format!(
                "declaring the exchange failed: broker answered {}",
                declared.status
            )));
        }
        response = call(broker, Method::Post, &publish_path, &body, timeouts)?;
    }
    if !(200..300).contains(&response.status) {
        return Err(SendError(format!("broker answered {}", response.status)));
    }
    let answer: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
    match answer.get("routed").and_then(Value::as_bool) {
        Some(true) => Ok(()),
        Some(false) => Err(SendError(
            "unroutable: no queue is bound for this routing key".to_owned(),
        )),
        None => Err(SendError(
            "the broker's answer did not say whether it routed".to_owned(),
        )),
    }
}

/// RabbitMQ answers a publish to a missing exchange with 404, or (3.x) with 400 and a
/// `NOT_FOUND - no exchange` reason.
fn exchange_missing(response: &client::Response) -> bool {
    let reason = String::from_utf8_lossy(&response.body);
    response.status == 404 || (response.status == 400 && reason.contains("NOT_FOUND"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::events::UserDeleted;
    use crate::domain::ids::UserId;

    #[test]
    fn builds_a_cloudevents_document() {
        let user_id = UserId::trusted("u".into());
        let deleted = Event::UserDeleted(UserDeleted { user_id: &user_id });
        let event = cloud_event("id-1", &deleted, "https://auth.test", 0).unwrap();
        assert_eq!(event["specversion"], "1.0");
        assert_eq!(event["id"], "id-1");
        assert_eq!(event["source"], "https://auth.test");
        assert_eq!(event["type"], "chatty.auth.user.deleted");
        assert_eq!(event["time"], "1970-01-01T00:00:00Z");
        assert_eq!(event["datacontenttype"], "application/json");
        assert_eq!(event["data"]["user_id"], "u");
    }

    #[test]
    fn the_publish_request_carries_amqp_properties() {
        let body = publish_body("id-1", "session.revoked", "{}");
        assert_eq!(body["properties"]["message_id"], "id-1");
        assert_eq!(body["properties"]["delivery_mode"], 2);
        assert_eq!(body["properties"]["content_type"], CONTENT_TYPE);
        assert_eq!(body["routing_key"], "session.revoked");
        assert_eq!(body["payload_encoding"], "string");
    }

    #[test]
    fn recognises_a_missing_exchange_in_both_broker_answers() {
        let answer = |status, body: &str| client::Response {
            status,
            body: body.as_bytes().to_vec(),
        };
        assert!(exchange_missing(&answer(404, "")));
        assert!(exchange_missing(&answer(
            400,
            r#"{"error":"bad_request","reason":"404 NOT_FOUND - no exchange 'x' in vhost '/'"}"#
        )));
        assert!(!exchange_missing(&answer(
            400,
            r#"{"error":"bad_request","reason":"payload"}"#
        )));
        assert!(!exchange_missing(&answer(200, r#"{"routed":true}"#)));
    }

    #[test]
    fn basic_credentials() {
        assert_eq!(ct_codecs_basic("guest", "guest"), "Z3Vlc3Q6Z3Vlc3Q=");
    }
}
