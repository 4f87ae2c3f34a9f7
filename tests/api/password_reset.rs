use crate::backend_tests;
use auth_test_support::TestApp;
use auth_test_support::app::Tokens;
use serde_json::{Value, json};
use std::time::Duration;

/// The token in the link of a captured mail.
pub fn token_in(mail: &Value) -> String {
    let text = mail["Text"]
        .as_str()
        .or(mail["text"].as_str())
        .expect("mail text");
    let start = text.find("token=").expect("a link with a token") + "token=".len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

pub fn subject(mail: &Value) -> &str {
    mail["Subject"]
        .as_str()
        .or(mail["subject"].as_str())
        .unwrap_or_default()
}

async fn request_reset(app: &TestApp, email: &str) -> auth_test_support::TestResponse {
    app.post_json("/password-reset", &json!({"email": email}))
        .await
}

async fn confirm(app: &TestApp, token: &str, password: &str) -> auth_test_support::TestResponse {
    app.post_json(
        "/password-reset/confirm",
        &json!({"token": token, "password": password}),
    )
    .await
}

/// Registers a user and waits for (and discards) the verification mail.
async fn user_with_mailbox(app: &TestApp) -> auth_test_support::app::TestUser {
    let before = app.mails().len();
    let user = app.new_user().await;
    app.wait_for_mails(before + 1).await;
    user
}

fn reset_mails(app: &TestApp) -> Vec<Value> {
    app.mails()
        .into_iter()
        .filter(|m| subject(m).contains("Reset"))
        .collect()
}

backend_tests! {
    async fn known_and_unknown_addresses_get_the_same_answer_and_only_the_known_one_a_mail(app) {
        let user = user_with_mailbox(&app).await;
        let known = request_reset(&app, &user.email).await;
        let unknown = request_reset(&app, "nobody-here@example.com").await;
        assert_eq!((known.status, unknown.status), (202, 202));
        assert_eq!(known.body, unknown.body);
        assert_eq!(known.header("cache-control"), unknown.header("cache-control"));
        app.wait_for_mails(2).await;
        let mails = reset_mails(&app);
        assert_eq!(mails.len(), 1, "{mails:?}");
        let mail = &mails[0];
        assert_eq!(mail["To"][0]["Email"], user.email.as_str());
        let token = token_in(mail);
        assert_eq!(token.len(), 43, "256 random bits, base64url");
        let link = format!("https://chatty.test/reset-password?token={token}");
        assert!(mail["Text"].as_str().unwrap().contains(&link));
        assert!(mail["HTML"].as_str().unwrap().contains(&link));
        // Only a hash of the token is stored.
        let stored = app.db_rows("SELECT token_hash FROM one_time_tokens WHERE purpose = 'password_reset'").await;
        assert_eq!(stored.len(), 1);
        assert_ne!(stored[0][0].as_deref(), Some(token.as_str()));
        assert_eq!(stored[0][0].as_ref().unwrap().len(), 64);
    }

    async fn the_link_sets_a_new_password_once(app) {
        let user = user_with_mailbox(&app).await;
        request_reset(&app, &user.email).await;
        let token = token_in(&app.wait_for_mails(2).await[1]);
        let response = confirm(&app, &token, "a brand new passphrase").await;
        assert_eq!(response.status, 200, "{}", response.text());
        assert_eq!(response.header("cache-control"), Some("no-store"));
        assert!(response.json()["access_token"].is_null(), "no automatic login");
        assert_eq!(app.login(&user.email, "a brand new passphrase").await.status, 200);
        app.login(&user.email, &user.password).await.assert_problem(401, "invalid_credentials");
        confirm(&app, &token, "yet another passphrase").await.assert_problem(400, "invalid_token");
    }

    async fn an_expired_link_is_refused(app) {
        let user = user_with_mailbox(&app).await;
        request_reset(&app, &user.email).await;
        let token = token_in(&app.wait_for_mails(2).await[1]);
        app.clock.advance(Duration::from_secs(3601));
        confirm(&app, &token, "a brand new passphrase").await.assert_problem(400, "invalid_token");
        confirm(&app, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "a brand new passphrase").await.assert_problem(400, "invalid_token");
        confirm(&app, "garbage", "a brand new passphrase").await.assert_problem(400, "invalid_token");
    }

    async fn a_new_link_retires_the_previous_one(app) {
        let user = user_with_mailbox(&app).await;
        request_reset(&app, &user.email).await;
        // Each mail is delivered after its response: wait for the first, so the order is known.
        app.wait_for_mails(2).await;
        request_reset(&app, &user.email).await;
        let mails = app.wait_for_mails(3).await;
        let (first, second) = (token_in(&mails[1]), token_in(&mails[2]));
        assert_ne!(first, second);
        confirm(&app, &first, "a brand new passphrase").await.assert_problem(400, "invalid_token");
        assert_eq!(confirm(&app, &second, "a brand new passphrase").await.status, 200);
    }

    async fn changing_the_password_signs_out_every_session_and_notifies_the_user(app) {
        let user = user_with_mailbox(&app).await;
        let first = Tokens::from(&app.login(&user.email, &user.password).await);
        let second = Tokens::from(&app.login(&user.email, &user.password).await);
        request_reset(&app, &user.email).await;
        let token = token_in(&app.wait_for_mails(2).await[1]);
        assert_eq!(confirm(&app, &token, "a brand new passphrase").await.status, 200);
        for tokens in [&first, &second] {
            app.verify(&tokens.access).await.assert_problem(401, "invalid_token");
            app.refresh(&tokens.refresh).await.assert_problem(401, "invalid_grant");
        }
        let mails = app.wait_for_mails(3).await;
        let notice = &mails[2];
        assert_eq!(subject(notice), "Your Chatty password was changed");
        assert!(!notice["Text"].as_str().unwrap().contains("token="), "no secret in a notification");
        assert!(!notice["Text"].as_str().unwrap().contains("a brand new passphrase"));
    }

    async fn the_password_policy_applies_and_a_refused_password_does_not_spend_the_link(app) {
        let user = user_with_mailbox(&app).await;
        request_reset(&app, &user.email).await;
        let token = token_in(&app.wait_for_mails(2).await[1]);
        let problem = confirm(&app, &token, "password1").await.assert_problem(400, "validation_failed");
        assert_eq!(problem["errors"][0]["code"], "password_too_common");
        let problem = confirm(&app, &token, &format!("{}-2024!", user.username)).await.assert_problem(400, "validation_failed");
        assert_eq!(problem["errors"][0]["code"], "password_contains_username");
        assert_eq!(confirm(&app, &token, "a brand new passphrase").await.status, 200);
    }

    async fn at_most_three_reset_mails_per_account_per_hour(app) {
        let user = user_with_mailbox(&app).await;
        for _ in 0..5 {
            assert_eq!(request_reset(&app, &user.email).await.status, 202);
        }
        assert_eq!(app.queued_mails("password_reset").await, 3, "the two over the limit queued nothing");
        app.wait_for_mails(4).await;
        assert_eq!(reset_mails(&app).len(), 3);
        app.clock.advance(Duration::from_secs(3601));
        assert_eq!(request_reset(&app, &user.email).await.status, 202);
        assert_eq!(app.queued_mails("password_reset").await, 4);
        app.wait_for_mails(5).await;
        assert_eq!(reset_mails(&app).len(), 4);
    }

    async fn concurrent_reset_requests_still_send_at_most_three_mails(app with [("rate_limit_password_reset_per_hour", "100")]) {
        let user = user_with_mailbox(&app).await;
        let requests = (0..16).map(|_| request_reset(&app, &user.email));
        let statuses: Vec<u16> = futures::future::join_all(requests).await.iter().map(|r| r.status).collect();
        assert!(statuses.iter().all(|s| *s == 202), "{statuses:?}");
        let issued = app.db_rows(&format!(
            "SELECT COUNT(*) FROM one_time_tokens WHERE purpose = 'password_reset' AND user_id = (SELECT id FROM users WHERE username = '{}')",
            user.username
        )).await;
        assert_eq!(issued[0][0].as_deref(), Some("3"), "each request saw the links the others issued");
        assert_eq!(app.queued_mails("password_reset").await, 3);
        app.wait_for_mails(4).await;
        assert_eq!(reset_mails(&app).len(), 3);
    }

    async fn two_confirmations_racing_with_one_link_change_the_password_once(app) {
        let user = user_with_mailbox(&app).await;
        request_reset(&app, &user.email).await;
        let token = token_in(&app.wait_for_mails(2).await[1]);
        let (a, b) = tokio::join!(
            confirm(&app, &token, "first racer passphrase"),
            confirm(&app, &token, "second racer passphrase")
        );
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(statuses, [200, 400]);
        assert_eq!(app.queued_mails("password_changed").await, 1, "the failed transaction left no mail behind");
        app.wait_for_mails(3).await;
        let notices = app.mails().iter().filter(|m| subject(m).contains("was changed")).count();
        assert_eq!(notices, 1);
        let changed = app.db_rows("SELECT COUNT(*) FROM outbox WHERE topic = 'user.password_changed'").await;
        assert_eq!(changed[0][0].as_deref(), Some("1"));
    }

    async fn malformed_reset_requests_are_validation_errors(app) {
        app.post_json("/password-reset", &json!({})).await.assert_problem(400, "validation_failed");
        app.post_json("/password-reset", &json!({"email": "not an email"})).await.assert_problem(400, "validation_failed");
        app.post_json("/password-reset/confirm", &json!({"token": 5})).await.assert_problem(400, "validation_failed");
    }

    async fn mail_is_written_in_the_language_the_request_asked_for(app) {
        let user = user_with_mailbox(&app).await;
        let request = app.client.request("POST", "/password-reset")
            .header("content-type", "application/json")
            .header("accept-language", "ru-RU,ru;q=0.9,en;q=0.5")
            .body(http_body_util::Full::new(bytes::Bytes::from(json!({"email": user.email}).to_string())))
            .unwrap();
        assert_eq!(app.client.send(request).await.status, 202);
        let mails = app.wait_for_mails(2).await;
        assert_eq!(subject(&mails[1]), "Сброс пароля Chatty");
        assert!(mails[1]["Text"].as_str().unwrap().contains("token="));
        // Without the header: English.
        assert!(subject(&mails[0]).starts_with("Confirm your email"));
    }
}
