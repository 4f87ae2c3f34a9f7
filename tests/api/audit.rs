use crate::backend_tests;
use auth_test_support::app::Tokens;
use serde_json::{Value, json};

fn audit_lines(app: &auth_test_support::TestApp, event: &str) -> Vec<Value> {
    app.log_lines()
        .into_iter()
        .filter(|l| l["audit"] == true && l["event"] == event)
        .collect()
}

backend_tests! {
    async fn a_generated_signing_key_is_logged_once_as_one_plain_sentence(app) {
        app.logged_in_user().await;
        app.logged_in_user().await;
        app.server.settle().await;
        let lines: Vec<Value> = app.log_lines().into_iter().filter(|l| l["event"] == "signing_key_generated").collect();
        assert_eq!(lines.len(), 1, "{}", app.log_text());
        assert_eq!(lines[0]["level"], "warn");
        assert_eq!(
            lines[0]["detail"],
            "jwt_private_key is not set: generated an Ed25519 key and stored it in the database; set jwt_private_key in production"
        );
    }

    async fn sign_ins_leave_an_audit_line_with_who_where_and_which_request(app) {
        let user = app.new_user().await;
        let request = app.client.request("POST", "/login")
            .header("content-type", "application/json")
            .header("x-request-id", "trace-login-1")
            .body(http_body_util::Full::new(bytes::Bytes::from(json!({"email": user.email, "password": user.password}).to_string())))
            .unwrap();
        let response = app.client.send(request).await;
        assert_eq!(response.status, 200);
        let tokens = Tokens::from(&response);
        app.login(&user.email, "not the password").await;
        app.refresh(&tokens.refresh).await;
        app.post_json("/logout", &json!({"refresh_token": tokens.refresh})).await;
        app.server.settle().await;

        let success = audit_lines(&app, "login_succeeded");
        assert_eq!(success.len(), 1, "{}", app.log_text());
        let line = &success[0];
        assert_eq!(line["request_id"], "trace-login-1");
        assert_eq!(line["client_addr"], "127.0.0.1");
        let (_, claims) = auth_test_support::jwt::decode_parts(&tokens.access);
        assert_eq!(line["user_id"], claims["sub"]);
        assert_eq!(line["session_id"], claims["sid"]);
        assert!(line["time"].as_str().unwrap().ends_with('Z'));
        assert_eq!(line["level"], "info");

        let failure = &audit_lines(&app, "login_failed")[0];
        assert_eq!(failure["reason"], "wrong_password");
        assert_eq!(failure["user_id"], claims["sub"]);
        assert!(failure["session_id"].is_null());
        for event in ["registered", "token_refreshed", "logout"] {
            assert_eq!(audit_lines(&app, event).len(), 1, "{event}");
        }

        // Nothing secret in the log, whatever the event.
        let log = app.log_text();
        for secret in [user.password.as_str(), "not the password", tokens.access.as_str(), tokens.refresh.as_str(), "$argon2id"] {
            assert!(!log.contains(secret), "the log contains a secret: {secret}");
        }
    }

    async fn resets_verification_and_reuse_are_audited(app) {
        let user = app.new_user().await;
        let verify = crate::password_reset::token_in(&app.wait_for_mails(1).await[0]);
        app.post_json("/verify-email", &json!({"token": verify})).await;
        let first = auth_test_support::app::Tokens::from(&app.login(&user.email, &user.password).await);
        app.refresh(&first.refresh).await;
        app.clock.advance(std::time::Duration::from_secs(30));
        app.refresh(&first.refresh).await.assert_problem(401, "refresh_token_reused");
        app.post_json("/password-reset", &json!({"email": user.email})).await;
        app.post_json("/password-reset", &json!({"email": "ghost@example.com"})).await;
        let reset = crate::password_reset::token_in(&app.wait_for_mails(2).await[1]);
        app.post_json("/password-reset/confirm", &json!({"token": reset, "password": "a brand new passphrase"})).await;
        app.server.settle().await;
        for event in ["email_verified", "refresh_token_reused", "password_reset_completed"] {
            assert_eq!(audit_lines(&app, event).len(), 1, "{event}: {}", app.log_text());
        }
        let requested = audit_lines(&app, "password_reset_requested");
        assert_eq!(requested.len(), 2);
        assert!(requested.iter().any(|l| l["reason"] == "unknown_account" && l["user_id"].is_null()));
        let log = app.log_text();
        for secret in [verify.as_str(), reset.as_str(), "a brand new passphrase"] {
            assert!(!log.contains(secret), "the log contains a secret");
        }
    }

    async fn the_request_id_is_echoed_or_generated(app) {
        let request = app.client.request("GET", "/health").header("x-request-id", "abc-123").body(Default::default()).unwrap();
        assert_eq!(app.client.send(request).await.header("x-request-id"), Some("abc-123"));
        let generated = app.get("/nowhere").await;
        assert_eq!(generated.status, 404);
        let id = generated.header("x-request-id").unwrap().to_owned();
        assert_eq!(id.len(), 36, "a generated UUID: {id}");
        let request = app.client.request("GET", "/health").header("x-request-id", "bad id with spaces").body(Default::default()).unwrap();
        let replaced = app.client.send(request).await;
        assert_ne!(replaced.header("x-request-id"), Some("bad id with spaces"));
        assert_eq!(replaced.header("x-request-id").unwrap().len(), 36);
    }
}
