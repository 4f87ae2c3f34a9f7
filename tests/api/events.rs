use super::password_reset::token_in;
use crate::backend_tests;
use auth_test_support::app::Tokens;
use auth_test_support::rabbit::{self, Rabbit};
use serde_json::json;
use std::collections::BTreeMap;
use std::time::Duration;

fn broker_vars() -> [(&'static str, String); 1] {
    [("events_origin", rabbit::api_origin())]
}

backend_tests! {
    async fn every_event_reaches_a_bound_queue_as_a_cloudevent(app) {
        let Some(rabbit) = Rabbit::connect().await else { return };
        rabbit.bind("#").await;
        let app_vars = [broker_vars()[0].clone(), ("events_exchange", rabbit.exchange.clone())];
        let server = app.replica(&app_vars).await;
        let client = auth_test_support::client::Client::new(server.base_url());

        // register -> user.registered; verify -> user.email_verified; login -> user.logged_in;
        // reset -> user.password_reset_requested; confirm -> user.password_changed + session.revoked;
        // login again, logout -> session.revoked.
        let password = "a fine long passphrase";
        let registered = client.post_json("/register", &json!({"email": "eve@example.com", "username": "eve", "password": password}), None).await;
        assert_eq!(registered.status, 201);
        let user_id = registered.json()["id"].as_str().unwrap().to_owned();
        let verification = token_in(&app.wait_for_mails(1).await[0]);
        server.settle().await;
        assert_eq!(client.post_json("/verify-email", &json!({"token": verification}), None).await.status, 200);
        let login = client.post_json("/login", &json!({"email": "eve@example.com", "password": password}), None).await;
        let tokens = Tokens::from(&login);
        assert_eq!(client.post_json("/password-reset", &json!({"email": "eve@example.com"}), None).await.status, 202);
        server.settle().await;
        let reset = token_in(&app.mail.wait_for(2).await[1].json());
        assert_eq!(client.post_json("/password-reset/confirm", &json!({"token": reset, "password": "another fine passphrase"}), None).await.status, 200);
        let login = client.post_json("/login", &json!({"email": "eve@example.com", "password": "another fine passphrase"}), None).await;
        let second = Tokens::from(&login);
        assert_eq!(client.post_json("/logout", &json!({"refresh_token": second.refresh}), None).await.status, 204);
        server.settle().await;

        let messages = rabbit.take_at_least(8).await;
        let mut by_key: BTreeMap<String, usize> = BTreeMap::new();
        for m in &messages {
            *by_key.entry(m.routing_key.clone()).or_default() += 1;
            let event = &m.payload;
            assert_eq!(event["specversion"], "1.0");
            assert_eq!(event["type"], format!("chatty.auth.{}", m.routing_key));
            assert_eq!(event["source"], "https://auth.chatty.test");
            assert_eq!(event["datacontenttype"], "application/json");
            assert!(event["time"].as_str().unwrap().ends_with('Z'));
            assert_eq!(m.properties["message_id"], event["id"], "AMQP message_id is the event id");
            assert_eq!(m.properties["delivery_mode"], 2);
            assert_eq!(m.properties["content_type"], "application/cloudevents+json");
            assert_eq!(event["data"]["user_id"], user_id.as_str());
            let text = event.to_string();
            for secret in [password, "another fine passphrase", tokens.refresh.as_str(), tokens.access.as_str(), verification.as_str(), reset.as_str(), "$argon2id"] {
                assert!(!text.contains(secret), "an event carries a secret: {text}");
            }
        }
        let expected: BTreeMap<String, usize> = [
            ("session.revoked", 2),
            ("user.email_verified", 1),
            ("user.logged_in", 2),
            ("user.password_changed", 1),
            ("user.password_reset_requested", 1),
            ("user.registered", 1),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        assert_eq!(by_key, expected);
        let registered = messages.iter().find(|m| m.routing_key == "user.registered").unwrap();
        assert_eq!(registered.payload["data"], json!({"user_id": user_id, "email": "eve@example.com", "username": "eve"}));
        rabbit.cleanup().await;
    }

    async fn a_missing_exchange_is_declared_and_unrouted_events_wait_for_a_queue(app) {
        let Some(rabbit) = Rabbit::connect().await else { return };
        let vars = [broker_vars()[0].clone(), ("events_exchange", rabbit.exchange.clone())];
        let server = app.replica(&vars).await;
        let client = auth_test_support::client::Client::new(server.base_url());
        assert!(rabbit.exchange_exists().await.is_none());
        let response = client.post_json("/register", &json!({"email": "eve@example.com", "username": "eve", "password": "a fine long passphrase"}), None).await;
        assert_eq!(response.status, 201);
        server.settle().await;
        let exchange = rabbit.exchange_exists().await.expect("the service declared its exchange");
        assert_eq!(exchange["type"], "topic");
        assert_eq!(exchange["durable"], true);
        let rows = app.db_rows("SELECT state, last_error FROM outbox WHERE kind = 'event'").await;
        assert_eq!(rows[0][0].as_deref(), Some("pending"), "an unroutable publish is not a delivery");
        assert!(rows[0][1].as_deref().unwrap().contains("unroutable"));

        rabbit.bind_queue("user.*").await;
        app.clock.advance(Duration::from_secs(11));
        let drained = client.post_json("/admin/outbox/drain", &json!({}), Some("test-admin-token")).await;
        assert_eq!(drained.json()["delivered"], 1, "{}", drained.text());
        let messages = rabbit.take_at_least(1).await;
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0].routing_key, "user.registered");
        rabbit.cleanup().await;
    }

    async fn events_written_while_the_broker_is_down_are_delivered_once_it_is_back(app) {
        let Some(rabbit) = Rabbit::connect().await else { return };
        rabbit.bind("#").await;
        // This replica's broker is unreachable (the default test origin refuses connections).
        let down = app.replica(&[("events_exchange", rabbit.exchange.clone())]).await;
        let client = auth_test_support::client::Client::new(down.base_url());
        for name in ["ann", "bob"] {
            let body = json!({"email": format!("{name}@example.com"), "username": name, "password": "a fine long passphrase"});
            assert_eq!(client.post_json("/register", &body, None).await.status, 201);
        }
        down.settle().await;
        let pending = app.db_rows("SELECT COUNT(*) FROM outbox WHERE kind = 'event' AND state = 'pending'").await;
        assert_eq!(pending[0][0].as_deref(), Some("2"));
        assert!(rabbit.take().await.is_empty());

        // The broker is back: a replica that reaches it drains what was kept.
        let up = app.replica(&[broker_vars()[0].clone(), ("events_exchange", rabbit.exchange.clone())]).await;
        let client = auth_test_support::client::Client::new(up.base_url());
        app.clock.advance(Duration::from_secs(11));
        let drained = client.post_json("/admin/outbox/drain", &json!({}), Some("test-admin-token")).await;
        assert_eq!(drained.json()["delivered"], 2, "{}", drained.text());
        let messages = rabbit.take_at_least(2).await;
        assert_eq!(messages.len(), 2);
        let ids: std::collections::BTreeSet<_> = messages.iter().map(|m| m.properties["message_id"].as_str().unwrap().to_owned()).collect();
        assert_eq!(ids.len(), 2);
        app.clock.advance(Duration::from_secs(3600));
        client.post_json("/admin/outbox/drain", &json!({}), Some("test-admin-token")).await;
        assert!(rabbit.take().await.is_empty(), "nothing is published twice");
        rabbit.cleanup().await;
    }
}
