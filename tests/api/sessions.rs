//! Session lifecycle rules that span endpoints: the per-account cap, revocation of many sessions,
//! sessions ended by a verification or a concurrent password change, and purging what has ended.

use crate::backend_tests;
use crate::password_reset::token_in;
use auth_test_support::TestApp;
use auth_test_support::app::Tokens;
use serde_json::json;
use std::time::Duration;

/// Inserts `n` live sessions of `user_id` straight into the database, as years of sign-ins would.
async fn insert_sessions(app: &TestApp, user_id: &str, n: u32, expires_at: i64, prefix: &str) {
    let now = app.now();
    app.db_execute(&format!(
        "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < {n}) \
         INSERT INTO sessions (id, user_id, created_at, expires_at) \
         SELECT '{prefix}-' || i, '{user_id}', {now}, {expires_at} FROM k"
    ))
    .await;
}

async fn user_id(app: &TestApp, access: &str) -> String {
    app.verify(access).await.json()["sub"]
        .as_str()
        .unwrap()
        .to_owned()
}

backend_tests! {
    async fn a_new_sign_in_beyond_the_cap_ends_the_oldest_session(app with [("max_sessions_per_user", "2")]) {
        let (user, first) = app.logged_in_user().await;
        let second = Tokens::from(&app.login(&user.email, &user.password).await);
        let third = Tokens::from(&app.login(&user.email, &user.password).await);
        app.refresh(&first.refresh).await.assert_problem(401, "invalid_grant");
        app.verify(&first.access).await.assert_problem(401, "invalid_token");
        for live in [&second, &third] {
            assert_eq!(app.verify(&live.access).await.status, 200);
        }
        let reasons = app.db_rows("SELECT revoked_reason FROM sessions WHERE revoked_at IS NOT NULL").await;
        assert_eq!(reasons, vec![vec![Some("session_limit".to_owned())]]);
        let events = app.db_count("SELECT COUNT(*) FROM outbox WHERE topic = 'session.revoked' AND payload LIKE '%session_limit%'").await;
        assert_eq!(events, 1);
    }

    async fn a_password_reset_ends_ten_thousand_sessions(app) {
        let user = app.new_user().await;
        app.wait_for_mails(1).await;
        let id = app.db_rows(&format!("SELECT id FROM users WHERE email = '{}'", user.email)).await[0][0].clone().unwrap();
        insert_sessions(&app, &id, 10_000, app.now() + 86_400, "live").await;
        // Sessions that ended by themselves are left alone.
        insert_sessions(&app, &id, 5, app.now() - 10, "expired").await;
        app.post_json("/password-reset", &json!({"email": user.email})).await;
        let token = token_in(&app.wait_for_mails(2).await[1]);
        let confirmed = app.post_json("/password-reset/confirm", &json!({"token": token, "password": "a brand new passphrase"})).await;
        assert_eq!(confirmed.status, 200, "{}", confirmed.text());
        assert_eq!(app.db_count("SELECT COUNT(*) FROM sessions WHERE revoked_at IS NULL AND id LIKE 'live-%'").await, 0);
        assert_eq!(app.db_count("SELECT COUNT(*) FROM sessions WHERE revoked_at IS NULL AND id LIKE 'expired-%'").await, 5);
        assert_eq!(app.db_count("SELECT COUNT(*) FROM outbox WHERE topic = 'session.revoked'").await, 10_000);
        // The notice goes out with the response; the session events wait for the drain.
        let mails = app.wait_for_mails(3).await;
        assert!(crate::password_reset::subject(&mails[2]).to_lowercase().contains("password"));
        assert_eq!(app.login(&user.email, "a brand new passphrase").await.status, 200);
    }

    async fn logout_everywhere_ends_ten_thousand_sessions(app) {
        let (user, tokens) = app.logged_in_user().await;
        let id = user_id(&app, &tokens.access).await;
        insert_sessions(&app, &id, 10_000, app.now() + 86_400, "live").await;
        let response = app.post_json_authorized("/logout/all", &json!({}), &tokens.access).await;
        assert_eq!(response.status, 204, "{}", response.text());
        assert_eq!(app.db_count("SELECT COUNT(*) FROM sessions WHERE revoked_at IS NULL").await, 0);
        assert_eq!(app.db_count("SELECT COUNT(*) FROM outbox WHERE topic = 'session.revoked'").await, 10_001);
        app.verify(&tokens.access).await.assert_problem(401, "invalid_token");
        let _ = user;
    }

    async fn verifying_the_address_ends_sessions_started_before_it(app) {
        // Someone registers the victim's address and signs in; the victim then verifies it.
        let (_, squatter) = app.logged_in_user().await;
        let link = token_in(&app.wait_for_mails(1).await[0]);
        let verified = app.post_json("/verify-email", &json!({"token": link})).await;
        assert_eq!(verified.status, 200, "{}", verified.text());
        app.verify(&squatter.access).await.assert_problem(401, "invalid_token");
        app.refresh(&squatter.refresh).await.assert_problem(401, "invalid_grant");
        let reasons = app.db_rows("SELECT revoked_reason FROM sessions").await;
        assert_eq!(reasons, vec![vec![Some("email_verified".to_owned())]]);
    }

    async fn with_verified_email_required_sign_in_waits_for_the_verification(app with [("require_verified_email", "true")]) {
        let user = app.new_user().await;
        app.login(&user.email, &user.password).await.assert_problem(403, "email_not_verified");
        // A wrong password says only that.
        app.login(&user.email, "wrong guess").await.assert_problem(401, "invalid_credentials");
        let link = token_in(&app.wait_for_mails(1).await[0]);
        assert_eq!(app.post_json("/verify-email", &json!({"token": link})).await.status, 200);
        assert_eq!(app.login(&user.email, &user.password).await.status, 200);
    }

    async fn a_sign_in_racing_a_password_reset_does_not_outlive_it(app) {
        let user = app.new_user().await;
        app.wait_for_mails(1).await;
        app.post_json("/password-reset", &json!({"email": user.email})).await;
        let token = token_in(&app.wait_for_mails(2).await[1]);
        // Sign-ins with the old password race the reset (by email and by username: each has its
        // own bucket of five).
        let logins = (0..10).map(|i| {
            let body = if i % 2 == 0 {
                json!({"email": user.email, "password": user.password})
            } else {
                json!({"username": user.username, "password": user.password})
            };
            let app = &app;
            async move { app.post_json("/login", &body).await.status }
        });
        let new_password = json!({"token": token, "password": "a brand new passphrase"});
        let reset = app.post_json("/password-reset/confirm", &new_password);
        let (statuses, reset) = tokio::join!(futures::future::join_all(logins), reset);
        assert_eq!(reset.status, 200);
        assert!(statuses.iter().all(|s| *s == 200 || *s == 401), "{statuses:?}");
        // Whatever the interleaving, no session opened with the old password is still live.
        assert_eq!(app.db_count("SELECT COUNT(*) FROM sessions WHERE revoked_at IS NULL").await, 0);
    }

    async fn overlong_identifiers_are_refused_before_any_lookup(app) {
        let long = format!("{}@example.com", "a".repeat(300));
        let problem = app.post_json("/login", &json!({"email": long, "password": "whatever it is"})).await
            .assert_problem(400, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "email");
        assert_eq!(problem["errors"][0]["code"], "too_long");
        let problem = app.post_json("/login", &json!({"username": "u".repeat(255), "password": "whatever it is"})).await
            .assert_problem(400, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "username");
    }

    async fn the_drain_purges_rows_past_their_use_in_batches(app) {
        app.clock.freeze();
        let (user, tokens) = app.logged_in_user().await;
        let id = user_id(&app, &tokens.access).await;
        insert_sessions(&app, &id, 3, app.now() + 60, "short").await;
        for _ in 0..2 {
            app.login(&user.email, "wrong guess").await;
        }
        app.post_json("/password-reset", &json!({"email": user.email})).await;
        app.wait_for_mails(2).await;
        app.post_json_authorized("/logout/all", &json!({}), &tokens.access).await;
        // A week and a day later everything above is past its use.
        app.clock.advance(Duration::from_secs(8 * 86_400));
        let report = app.drain().await;
        let purged = &report["purged"];
        assert_eq!(purged["sessions"], 4, "{report}");
        assert_eq!(purged["refresh_tokens"], 1, "{report}");
        assert!(purged["login_buckets"].as_i64().unwrap() >= 2, "{report}");
        assert!(purged["rate_limits"].as_i64().unwrap() >= 2, "{report}");
        assert_eq!(purged["one_time_tokens"], 2, "{report}");
        assert!(purged["outbox"].as_i64().unwrap() >= 2, "{report}");
        for table in ["sessions", "refresh_tokens", "login_throttle", "rate_limits", "one_time_tokens"] {
            assert_eq!(app.db_count(&format!("SELECT COUNT(*) FROM {table}")).await, 0, "{table}");
        }
        assert_eq!(app.db_count("SELECT COUNT(*) FROM outbox WHERE state = 'delivered'").await, 0);
        // The account itself stays, and signs in.
        assert_eq!(app.login(&user.email, &user.password).await.status, 200);
    }
}
