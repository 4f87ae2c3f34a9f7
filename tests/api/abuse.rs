use crate::backend_tests;
use crate::support::TestApp;
use crate::support::client::Client;
use serde_json::json;
use std::time::Duration;

async fn attempt(app: &TestApp, email: &str, password: &str) -> crate::support::TestResponse {
    app.login(email, password).await
}

fn retry_after(response: &crate::support::TestResponse) -> i64 {
    response
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap()
}

/// Lockout tests make many attempts from one address: the per-address limit is raised out of the way.
const MANY_LOGINS: (&str, &str) = ("rate_limit_login_per_minute", "1000");

backend_tests! {
    async fn five_failures_lock_the_account_even_against_the_right_password(app with [MANY_LOGINS]) {
        app.clock.freeze();
        let user = app.new_user().await;
        for _ in 0..5 {
            attempt(&app, &user.email, "wrong guess").await.assert_problem(401, "invalid_credentials");
        }
        let locked = attempt(&app, &user.email, &user.password).await;
        locked.assert_problem(429, "too_many_attempts");
        assert_eq!(retry_after(&locked), 60);
        app.clock.advance(Duration::from_secs(30));
        assert_eq!(retry_after(&attempt(&app, &user.email, &user.password).await), 30);
        app.clock.advance(Duration::from_secs(31));
        assert_eq!(attempt(&app, &user.email, &user.password).await.status, 200);
        // A success starts the count again: four failures are free once more.
        for _ in 0..4 {
            attempt(&app, &user.email, "wrong guess").await.assert_problem(401, "invalid_credentials");
        }
        assert_eq!(attempt(&app, &user.email, &user.password).await.status, 200);
    }

    async fn each_failure_after_a_lock_doubles_it_up_to_fifteen_minutes(app with [MANY_LOGINS]) {
        app.clock.freeze();
        let user = app.new_user().await;
        for _ in 0..5 {
            attempt(&app, &user.email, "wrong guess").await;
        }
        let mut delays = Vec::new();
        for _ in 0..6 {
            let locked = attempt(&app, &user.email, "wrong guess").await;
            locked.assert_problem(429, "too_many_attempts");
            let delay = retry_after(&locked);
            delays.push(delay);
            app.clock.advance(Duration::from_secs(delay as u64 + 1));
            attempt(&app, &user.email, "wrong guess").await.assert_problem(401, "invalid_credentials");
        }
        assert_eq!(delays, vec![60, 120, 240, 480, 900, 900]);
    }

    async fn unknown_accounts_are_throttled_exactly_like_known_ones(app with [MANY_LOGINS]) {
        app.clock.freeze();
        let user = app.new_user().await;
        let mut known = Vec::new();
        let mut unknown = Vec::new();
        for _ in 0..7 {
            let a = attempt(&app, &user.email, "wrong guess").await;
            let b = attempt(&app, "no-such-user@example.com", "wrong guess").await;
            known.push((a.status, a.json()["code"].clone(), a.header("retry-after").map(str::to_owned)));
            unknown.push((b.status, b.json()["code"].clone(), b.header("retry-after").map(str::to_owned)));
        }
        assert_eq!(known, unknown);
        assert_eq!(known[5].0, 429);
    }

    async fn the_email_and_the_username_share_one_lock(app with [MANY_LOGINS]) {
        let user = app.new_user().await;
        for _ in 0..3 {
            attempt(&app, &user.email, "wrong guess").await;
        }
        for _ in 0..2 {
            let r = app.post_json("/login", &json!({"username": user.username, "password": "wrong guess"})).await;
            r.assert_problem(401, "invalid_credentials");
        }
        attempt(&app, &user.email, &user.password).await.assert_problem(429, "too_many_attempts");
        app.post_json("/login", &json!({"username": user.username, "password": user.password})).await
            .assert_problem(429, "too_many_attempts");
    }

    async fn a_password_reset_lifts_the_lock(app with [MANY_LOGINS]) {
        let user = app.new_user().await;
        app.wait_for_mails(1).await;
        for _ in 0..6 {
            attempt(&app, &user.email, "wrong guess").await;
        }
        attempt(&app, &user.email, &user.password).await.assert_problem(429, "too_many_attempts");
        app.post_json("/password-reset", &json!({"email": user.email})).await;
        let token = crate::password_reset::token_in(&app.wait_for_mails(2).await[1]);
        let confirmed = app.post_json("/password-reset/confirm", &json!({"token": token, "password": "a brand new passphrase"})).await;
        assert_eq!(confirmed.status, 200);
        assert_eq!(attempt(&app, &user.email, "a brand new passphrase").await.status, 200);
    }

    async fn logins_from_one_address_are_limited_per_minute(app with [("rate_limit_login_per_minute", "3")]) {
        app.clock.freeze();
        for _ in 0..3 {
            attempt(&app, "someone@example.com", "wrong guess").await.assert_problem(401, "invalid_credentials");
        }
        let limited = attempt(&app, "someone@example.com", "wrong guess").await;
        limited.assert_problem(429, "rate_limited");
        let wait = retry_after(&limited);
        assert!((1..=60).contains(&wait), "{wait}");
        // Another address is not affected.
        let other = Client::with_local_address(app.client.base.clone(), Some("127.0.0.2".parse().unwrap()));
        let response = other.post_json("/login", &json!({"email": "someone@example.com", "password": "wrong guess"}), None).await;
        response.assert_problem(401, "invalid_credentials");
        app.clock.advance(Duration::from_secs(wait as u64));
        attempt(&app, "someone@example.com", "wrong guess").await.assert_problem(401, "invalid_credentials");
    }

    async fn registrations_resets_and_resends_are_limited_per_address(app with [
        ("rate_limit_register_per_hour", "2"),
        ("rate_limit_password_reset_per_hour", "2"),
        ("rate_limit_verification_resend_per_hour", "2"),
    ]) {
        app.clock.freeze();
        for i in 0..2 {
            assert_eq!(app.register(&format!("u{i}@example.com"), &format!("user{i}"), "a fine long passphrase").await.status, 201);
        }
        let limited = app.register("u9@example.com", "user9", "a fine long passphrase").await;
        limited.assert_problem(429, "rate_limited");
        assert!(retry_after(&limited) <= 3600);
        for path in ["/password-reset", "/verify-email/resend"] {
            for _ in 0..2 {
                assert_eq!(app.post_json(path, &json!({"email": "u0@example.com"})).await.status, 202);
            }
            app.post_json(path, &json!({"email": "u0@example.com"})).await.assert_problem(429, "rate_limited");
        }
        app.clock.advance(Duration::from_secs(3600));
        assert_eq!(app.register("u9@example.com", "user9", "a fine long passphrase").await.status, 201);
    }

    async fn behind_a_trusted_proxy_the_forwarded_client_is_limited_not_the_proxy(app with [
        ("rate_limit_login_per_minute", "2"),
        ("trusted_proxies", "127.0.0.1"),
    ]) {
        let from = |client: &'static str| {
            let app = &app;
            async move {
                let request = app.client.request("POST", "/login")
                    .header("content-type", "application/json")
                    .header("x-forwarded-for", client)
                    .body(http_body_util::Full::new(bytes::Bytes::from(json!({"email": "a@example.com", "password": "wrong guess"}).to_string())))
                    .unwrap();
                app.client.send(request).await.status
            }
        };
        assert_eq!((from("198.51.100.1").await, from("198.51.100.1").await), (401, 401));
        assert_eq!(from("198.51.100.1").await, 429);
        assert_eq!(from("198.51.100.2").await, 401, "another client behind the same proxy");
        // An untrusted peer's X-Forwarded-For is ignored: 127.0.0.3 is limited as itself.
        let direct = Client::with_local_address(app.client.base.clone(), Some("127.0.0.3".parse().unwrap()));
        for i in 0..3 {
            let request = direct.request("POST", "/login")
                .header("content-type", "application/json")
                .header("x-forwarded-for", format!("203.0.113.{i}"))
                .body(http_body_util::Full::new(bytes::Bytes::from(json!({"email": "a@example.com", "password": "wrong guess"}).to_string())))
                .unwrap();
            let status = direct.send(request).await.status;
            assert_eq!(status, if i < 2 { 401 } else { 429 });
        }
    }
}
