use crate::backend_tests;
use auth_test_support::TestApp;
use auth_test_support::client::Client;
use serde_json::json;
use std::time::Duration;

async fn attempt(app: &TestApp, email: &str, password: &str) -> auth_test_support::TestResponse {
    app.login(email, password).await
}

fn retry_after(response: &auth_test_support::TestResponse) -> i64 {
    response
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap()
}

/// Lockout tests make many attempts from one address: the per-address limit is raised out of the way.
const MANY_LOGINS: (&str, &str) = ("rate_limit_login_per_minute", "1000");
/// Clients on different networks, as a trusted proxy in front of the service reports them.
const BEHIND_PROXY: (&str, &str) = ("trusted_proxies", "127.0.0.1, ::1");

/// A login as if from `client` (through the trusted proxy).
async fn login_from(
    app: &TestApp,
    client: &str,
    body: serde_json::Value,
) -> auth_test_support::TestResponse {
    let request = app
        .client
        .request("POST", "/login")
        .header("content-type", "application/json")
        .header("x-forwarded-for", client)
        .body(http_body_util::Full::new(bytes::Bytes::from(
            body.to_string(),
        )))
        .unwrap();
    app.client.send(request).await
}

fn by_email(email: &str, password: &str) -> serde_json::Value {
    json!({"email": email, "password": password})
}

/// Fails the ceiling: `networks` networks, five wrong passwords each.
async fn fail_from_networks(app: &TestApp, email: &str, networks: std::ops::Range<u32>) {
    for n in networks {
        let client = format!("198.51.{}.{}", n / 200, n % 200 + 1);
        for _ in 0..5 {
            login_from(app, &client, by_email(email, "wrong guess"))
                .await
                .assert_problem(401, "invalid_credentials");
        }
    }
}

backend_tests! {
    async fn five_attempts_fill_a_networks_bucket_while_the_owner_elsewhere_signs_in(app with [MANY_LOGINS, BEHIND_PROXY]) {
        let user = app.new_user().await;
        let attacker = "198.51.100.7";
        for _ in 0..5 {
            login_from(&app, attacker, by_email(&user.email, "wrong guess")).await
                .assert_problem(401, "invalid_credentials");
        }
        // The attacker's network is slowed down, even with the right password...
        let refused = login_from(&app, attacker, by_email(&user.email, &user.password)).await;
        refused.assert_problem(429, "too_many_attempts");
        assert!((175..=180).contains(&retry_after(&refused)), "{}", retry_after(&refused));
        // ...the owner on another network is not.
        let owner = login_from(&app, "203.0.113.9", by_email(&user.email, &user.password)).await;
        assert_eq!(owner.status, 200, "{}", owner.text());
    }

    async fn a_networks_bucket_leaks_one_attempt_every_three_minutes(app with [MANY_LOGINS]) {
        app.clock.freeze();
        let user = app.new_user().await;
        for _ in 0..5 {
            attempt(&app, &user.email, "wrong guess").await.assert_problem(401, "invalid_credentials");
        }
        let locked = attempt(&app, &user.email, &user.password).await;
        locked.assert_problem(429, "too_many_attempts");
        assert_eq!(retry_after(&locked), 180);
        app.clock.advance(Duration::from_secs(90));
        assert_eq!(retry_after(&attempt(&app, &user.email, "wrong guess").await), 90);
        app.clock.advance(Duration::from_secs(90));
        // One attempt has leaked away: one more fits, then the bucket is full again.
        attempt(&app, &user.email, "wrong guess").await.assert_problem(401, "invalid_credentials");
        attempt(&app, &user.email, &user.password).await.assert_problem(429, "too_many_attempts");
        // Fifteen minutes after the last attempt the bucket is empty: five fit again.
        app.clock.advance(Duration::from_secs(900));
        for _ in 0..4 {
            attempt(&app, &user.email, "wrong guess").await.assert_problem(401, "invalid_credentials");
        }
        assert_eq!(attempt(&app, &user.email, &user.password).await.status, 200);
        // The right password emptied the bucket: five more fit at once.
        for _ in 0..5 {
            attempt(&app, &user.email, "wrong guess").await.assert_problem(401, "invalid_credentials");
        }
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
        assert_eq!(known[4].0, 401);
        assert_eq!(known[5].0, 429);
    }

    async fn a_full_bucket_for_a_username_says_nothing_about_its_email(app with [MANY_LOGINS]) {
        let user = app.new_user().await;
        for _ in 0..5 {
            let r = app.post_json("/login", &json!({"username": user.username, "password": "wrong guess"})).await;
            r.assert_problem(401, "invalid_credentials");
        }
        app.post_json("/login", &json!({"username": user.username, "password": "wrong guess"})).await
            .assert_problem(429, "too_many_attempts");
        // Trying candidate addresses from the same network: the account's own address answers
        // exactly like a stranger's, so a 429 cannot link the two.
        let theirs = attempt(&app, &user.email, "wrong guess").await;
        let strangers = attempt(&app, "someone-else@example.com", "wrong guess").await;
        theirs.assert_problem(401, "invalid_credentials");
        strangers.assert_problem(401, "invalid_credentials");
        assert_eq!(attempt(&app, &user.email, &user.password).await.status, 200);
    }

    async fn parallel_guesses_cannot_get_past_the_bucket(app with [MANY_LOGINS]) {
        let user = app.new_user().await;
        let guesses = (0..16).map(|_| attempt(&app, &user.email, "wrong guess"));
        let statuses: Vec<u16> = futures::future::join_all(guesses).await.iter().map(|r| r.status).collect();
        let checked = statuses.iter().filter(|s| **s == 401).count();
        let refused = statuses.iter().filter(|s| **s == 429).count();
        assert_eq!((checked, refused), (5, 11), "{statuses:?}");
    }

    async fn a_hundred_failures_lock_the_account_until_the_owner_resets_the_password(app with [MANY_LOGINS, BEHIND_PROXY]) {
        let user = app.new_user().await;
        app.wait_for_mails(1).await;
        fail_from_networks(&app, &user.email, 0..19).await;
        // 95 failures: the owner still gets in, and that success starts the count again.
        let owner = "203.0.113.9";
        assert_eq!(login_from(&app, owner, by_email(&user.email, &user.password)).await.status, 200);
        fail_from_networks(&app, &user.email, 19..39).await;
        // 100 consecutive failures: the right password no longer opens the account, anywhere...
        login_from(&app, owner, by_email(&user.email, &user.password)).await
            .assert_problem(403, "account_locked");
        // ...while a wrong one still reads as a wrong one.
        login_from(&app, owner, by_email(&user.email, "wrong guess")).await
            .assert_problem(401, "invalid_credentials");
        // Proof of the mailbox opens it.
        app.post_json("/password-reset", &json!({"email": user.email})).await;
        let token = crate::password_reset::token_in(&app.wait_for_mails(2).await[1]);
        let confirmed = app.post_json("/password-reset/confirm", &json!({"token": token, "password": "a brand new passphrase"})).await;
        assert_eq!(confirmed.status, 200);
        // A handful of failures cannot lock it again.
        fail_from_networks(&app, &user.email, 39..41).await;
        let owner_again = login_from(&app, owner, by_email(&user.email, "a brand new passphrase")).await;
        assert_eq!(owner_again.status, 200, "{}", owner_again.text());
    }

    async fn a_password_reset_empties_the_buckets_of_the_accounts_identifiers(app with [MANY_LOGINS]) {
        let user = app.new_user().await;
        app.wait_for_mails(1).await;
        for _ in 0..5 {
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
