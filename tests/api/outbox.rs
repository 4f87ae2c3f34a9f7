use crate::backend_tests;
use auth_test_support::TestApp;
use auth_test_support::capture::Reply;
use serde_json::json;
use std::collections::BTreeSet;
use std::time::Duration;

/// Past any first retry delay (5-10 s).
const AFTER_FIRST_BACKOFF: Duration = Duration::from_secs(11);

async fn mail_rows(app: &TestApp) -> Vec<Vec<Option<String>>> {
    app.db_rows("SELECT id, state, attempts, last_error, payload IS NULL FROM outbox WHERE kind = 'mail' ORDER BY id").await
}

backend_tests! {
    async fn a_relay_that_refuses_connections_delays_mail_without_failing_the_request(app) {
        app.mail.stop();
        let response = app.register("ann@example.com", "ann", "a fine long passphrase").await;
        assert_eq!(response.status, 201, "the request stands whatever the relay does");
        app.server.settle().await;
        let rows = mail_rows(&app).await;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0][1].as_deref(), Some("pending"));
        assert_eq!(rows[0][2].as_deref(), Some("1"));
        assert!(rows[0][3].as_deref().unwrap().contains("connection refused"), "{rows:?}");

        app.mail.restart().await;
        // Not yet due: a drain leaves it alone.
        assert_eq!(app.drain().await["delivered"], 0);
        app.clock.advance(AFTER_FIRST_BACKOFF);
        let report = app.drain().await;
        assert_eq!(report["delivered"], 1, "{report}");
        assert_eq!(app.mail.requests().len(), 1);
        let rows = mail_rows(&app).await;
        assert_eq!(rows[0][1].as_deref(), Some("delivered"));
        assert_eq!(rows[0][4].as_deref(), Some(if app.backend == auth_test_support::Backend::Postgres { "t" } else { "1" }), "the body is dropped");
        // Delivered means done: later drains send nothing more.
        app.clock.advance(Duration::from_secs(3600));
        app.drain().await;
        assert_eq!(app.mail.requests().len(), 1);
    }

    async fn a_relay_answering_500_gets_the_same_mail_again_with_the_same_idempotency_key(app) {
        app.mail.set_reply(Reply { status: 500, ..Reply::default() });
        app.new_user().await;
        app.server.settle().await;
        assert_eq!(mail_rows(&app).await[0][1].as_deref(), Some("pending"));
        app.mail.set_reply(Reply::default());
        app.clock.advance(AFTER_FIRST_BACKOFF);
        assert_eq!(app.drain().await["delivered"], 1);
        let requests = app.mail.requests();
        assert_eq!(requests.len(), 2);
        let keys: BTreeSet<_> = requests.iter().map(|r| r.header("idempotency-key").unwrap().to_owned()).collect();
        assert_eq!(keys.len(), 1, "one message, one key");
        assert_eq!(keys.iter().next().unwrap(), mail_rows(&app).await[0][0].as_ref().unwrap());
        assert_eq!(requests.iter().filter(|r| r.status == 200).count(), 1);
    }

    async fn a_relay_that_times_out_is_tried_again_later(app) {
        app.mail.set_reply(Reply { delay: Duration::from_secs(4), ..Reply::default() });
        let started = std::time::Instant::now();
        let response = app.register("ann@example.com", "ann", "a fine long passphrase").await;
        assert_eq!(response.status, 201);
        assert!(started.elapsed() < Duration::from_secs(2), "the response does not wait for the relay");
        app.server.settle().await;
        let rows = mail_rows(&app).await;
        assert_eq!(rows[0][1].as_deref(), Some("pending"));
        assert!(rows[0][3].as_deref().unwrap().contains("timeout"), "{rows:?}");
        app.mail.set_reply(Reply::default());
        app.clock.advance(AFTER_FIRST_BACKOFF);
        assert_eq!(app.drain().await["delivered"], 1);
        assert_eq!(mail_rows(&app).await[0][1].as_deref(), Some("delivered"));
    }

    async fn an_ordinary_request_drains_a_few_due_messages_on_its_way_out(app) {
        app.mail.stop();
        let user = app.new_user().await;
        app.server.settle().await;
        app.mail.restart().await;
        app.clock.advance(AFTER_FIRST_BACKOFF);
        assert_eq!(app.login(&user.email, &user.password).await.status, 200);
        assert_eq!(app.mail.wait_for(1).await.len(), 1);
        app.server.settle().await;
        assert_eq!(mail_rows(&app).await[0][1].as_deref(), Some("delivered"));
    }

    async fn concurrent_drains_deliver_each_message_once(app) {
        app.mail.stop();
        for i in 0..12 {
            assert_eq!(app.register(&format!("user{i}@example.com"), &format!("user{i}"), "a fine long passphrase").await.status, 201);
        }
        app.server.settle().await;
        app.mail.restart().await;
        app.clock.advance(AFTER_FIRST_BACKOFF);
        let replica = app.replica(&[]).await;
        let other = auth_test_support::client::Client::new(replica.base_url());
        let drain = |client: auth_test_support::client::Client| async move {
            client.post_json("/admin/outbox/drain", &json!({}), Some("test-admin-token")).await
        };
        let results = futures::future::join_all([
            drain(app.client.clone()),
            drain(other.clone()),
            drain(app.client.clone()),
            drain(other),
        ])
        .await;
        assert!(results.iter().all(|r| r.status == 200));
        let delivered: u64 = results.iter().map(|r| r.json()["delivered"].as_u64().unwrap()).sum();
        assert_eq!(delivered, 12, "{:?}", results.iter().map(|r| r.json()).collect::<Vec<_>>());
        let keys: Vec<String> = app.mail.requests().iter().map(|r| r.header("idempotency-key").unwrap().to_owned()).collect();
        let unique: BTreeSet<&String> = keys.iter().collect();
        assert_eq!(keys.len(), 12, "each mail sent once");
        assert_eq!(unique.len(), 12);
        replica.settle().await;
    }

    async fn a_message_that_keeps_failing_is_kept_as_dead(app with [("outbox_max_attempts", "2")]) {
        app.mail.set_reply(Reply { status: 503, ..Reply::default() });
        app.new_user().await;
        app.server.settle().await;
        app.clock.advance(Duration::from_secs(30));
        let report = app.drain().await;
        assert!(report["dead"].as_u64().unwrap() >= 1, "{report}");
        let rows = mail_rows(&app).await;
        assert_eq!(rows[0][1].as_deref(), Some("dead"));
        assert_eq!(rows[0][2].as_deref(), Some("2"));
        let counts = app.get_authorized("/admin/outbox", "test-admin-token").await;
        assert_eq!(counts.status, 200);
        let counts = counts.json();
        assert!(counts["dead"].as_i64().unwrap() >= 1, "{counts}");
        // Dead messages stay put.
        app.mail.set_reply(Reply::default());
        app.clock.advance(Duration::from_secs(7200));
        app.drain().await;
        assert_eq!(mail_rows(&app).await[0][1].as_deref(), Some("dead"));
    }

    async fn a_mail_that_dies_keeps_no_body(app with [("outbox_max_attempts", "1")]) {
        app.mail.set_reply(Reply { status: 503, ..Reply::default() });
        app.new_user().await;
        app.server.settle().await;
        let rows = mail_rows(&app).await;
        assert_eq!(rows[0][1].as_deref(), Some("dead"));
        assert_eq!(rows[0][4].as_deref(), Some(if app.backend == auth_test_support::Backend::Postgres { "t" } else { "1" }), "the link is gone with the body");
        let links = app.db_rows("SELECT COUNT(*) FROM outbox WHERE payload LIKE '%token=%'").await;
        assert_eq!(links[0][0].as_deref(), Some("0"));
    }

    async fn a_link_that_expired_before_delivery_is_never_mailed(app) {
        let user = app.new_user().await;
        app.wait_for_mails(1).await;
        app.mail.stop();
        assert_eq!(app.post_json("/password-reset", &json!({"email": user.email})).await.status, 202);
        app.server.settle().await;
        let pending = app.db_rows("SELECT state, payload LIKE '%token=%' FROM outbox WHERE topic = 'password_reset'").await;
        assert_eq!(pending[0][0].as_deref(), Some("pending"), "{pending:?}");

        app.mail.restart().await;
        app.clock.advance(Duration::from_secs(3601));
        let report = app.drain().await;
        assert!(report["dead"].as_u64().unwrap() >= 1, "{report}");
        let rows = app.db_rows("SELECT state, payload IS NULL, last_error FROM outbox WHERE topic = 'password_reset'").await;
        assert_eq!(rows[0][0].as_deref(), Some("dead"), "{rows:?}");
        assert_eq!(rows[0][1].as_deref(), Some(if app.backend == auth_test_support::Backend::Postgres { "t" } else { "1" }));
        assert!(rows[0][2].as_deref().unwrap().contains("expired"), "{rows:?}");
        assert_eq!(app.mail.requests().len(), 1, "only the verification mail was ever sent");
        let links = app.db_rows("SELECT COUNT(*) FROM outbox WHERE payload LIKE '%token=%' AND state <> 'pending'").await;
        assert_eq!(links[0][0].as_deref(), Some("0"));
    }

    async fn a_failed_transaction_leaves_no_outbox_row(app) {
        app.new_user().await;
        app.server.settle().await;
        let before = app.db_rows("SELECT COUNT(*) FROM outbox").await;
        let response = app.register("other@example.com", "someone", "a fine long passphrase").await;
        assert_eq!(response.status, 201);
        let duplicate = app.register("OTHER@example.com", "someone2", "a fine long passphrase").await;
        duplicate.assert_problem(409, "email_taken");
        app.server.settle().await;
        let after = app.db_rows("SELECT COUNT(*) FROM outbox").await;
        let n = |rows: &Vec<Vec<Option<String>>>| rows[0][0].as_deref().unwrap().parse::<i64>().unwrap();
        assert_eq!(n(&after) - n(&before), 2, "mail and event of the successful registration only");
        assert_eq!(app.mail.requests().len(), 2);
    }

    async fn admin_endpoints_refuse_missing_and_wrong_tokens(app) {
        for path in ["/admin/outbox"] {
            app.get(path).await.assert_problem(401, "admin_unauthorized");
            let response = app.get_authorized(path, "wrong-token").await;
            response.assert_problem(401, "admin_unauthorized");
            assert!(response.header("www-authenticate").unwrap().starts_with("Bearer"));
        }
        app.post_json("/admin/outbox/drain", &json!({})).await.assert_problem(401, "admin_unauthorized");
        app.post_json_authorized("/admin/outbox/drain", &json!({}), "test-admin-tokenX").await.assert_problem(401, "admin_unauthorized");
        let counts = app.get_authorized("/admin/outbox", "test-admin-token").await;
        assert_eq!(counts.status, 200);
        for key in ["pending", "leased", "delivered", "dead"] {
            assert!(counts.json()[key].is_i64(), "{key}");
        }
    }

    async fn without_an_admin_token_the_admin_endpoints_are_closed(app with [("admin_token", "")]) {
        app.get("/admin/outbox").await.assert_problem(401, "admin_unauthorized");
        app.get_authorized("/admin/outbox", "").await.assert_problem(401, "admin_unauthorized");
    }

    async fn the_json_relay_format_with_a_token(app with [("mail_relay_format", "json"), ("mail_relay_token", "relay-secret"), ("mail_relay_path", "/emails")]) {
        let user = app.new_user().await;
        let requests = app.mail.wait_for(1).await;
        let request = &requests[0];
        assert_eq!(request.method, "POST");
        assert_eq!(request.path, "/emails");
        assert_eq!(request.header("authorization"), Some("Bearer relay-secret"));
        assert_eq!(request.header("content-type"), Some("application/json"));
        assert!(request.header("idempotency-key").is_some());
        let body = request.json();
        assert_eq!(body["to"], json!([user.email]));
        assert_eq!(body["from"], "Chatty <no-reply@chatty.localhost>");
        for key in ["subject", "text", "html"] {
            assert!(body[key].is_string(), "{key}");
        }
        assert_eq!(body.as_object().unwrap().len(), 5);
    }

    async fn the_mailpit_format_by_default(app) {
        let user = app.new_user().await;
        let requests = app.mail.wait_for(1).await;
        assert_eq!(requests[0].path, "/api/v1/send");
        assert_eq!(requests[0].header("authorization"), None);
        let body = requests[0].json();
        assert_eq!(body["From"], json!({"Email": "no-reply@chatty.localhost", "Name": "Chatty"}));
        assert_eq!(body["To"], json!([{"Email": user.email}]));
        assert!(body["Subject"].is_string() && body["Text"].is_string() && body["HTML"].is_string());
    }

    async fn a_relay_outside_allowed_outbound_hosts_is_never_contacted(app) {
        let mut manifest = auth_test_host::component::manifest().unwrap();
        manifest.allowed_outbound_hosts.retain(|h| !h.contains("mail_relay_origin"));
        let restricted = app.replica_with_manifest(manifest, &[]).await;
        let client = auth_test_support::client::Client::new(format!("http://{}", restricted.addr));
        let response = client
            .post_json("/register", &json!({"email": "ann@example.com", "username": "ann", "password": "a fine long passphrase"}), None)
            .await;
        assert_eq!(response.status, 201);
        restricted.settle().await;
        // Its one attempt is over and failed on the host's refusal: the mail waits in the outbox.
        let rows = mail_rows(&app).await;
        assert_eq!((rows[0][1].as_deref(), rows[0][2].as_deref()), (Some("pending"), Some("1")), "{rows:?}");
        assert!(rows[0][3].as_deref().unwrap().contains("allowed_outbound_hosts"), "{rows:?}");
        assert!(app.mail.requests().is_empty(), "the host refused the request");
    }
}
