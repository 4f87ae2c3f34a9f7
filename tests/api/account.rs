//! Account self-service: changing the password, email and username, listing and ending one's own
//! sessions, deleting the account and exporting its data.

use crate::backend_tests;
use crate::password_reset::{subject, token_in};
use auth_test_support::app::{TestUser, Tokens};
use auth_test_support::rabbit::{self, Rabbit};
use auth_test_support::{TestApp, TestResponse};
use serde_json::{Value, json};

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    body: Option<&Value>,
    token: &str,
) -> TestResponse {
    app.client.call(method, path, body, Some(token)).await
}

async fn user_id(app: &TestApp, access: &str) -> String {
    app.verify(access).await.json()["sub"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A signed-in user whose verification mail has arrived (so later mail counts start from it).
async fn signed_in(app: &TestApp) -> (TestUser, Tokens) {
    let before = app.mails().len();
    let (user, tokens) = app.logged_in_user().await;
    app.wait_for_mails(before + 1).await;
    (user, tokens)
}

fn to(mail: &Value) -> String {
    mail["To"][0]["Email"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn text(mail: &Value) -> &str {
    mail["Text"].as_str().unwrap_or_default()
}

async fn outbox_topics(app: &TestApp) -> Vec<String> {
    app.db_rows("SELECT topic FROM outbox WHERE kind = 'event' ORDER BY id")
        .await
        .into_iter()
        .map(|row| row[0].clone().unwrap())
        .collect()
}

backend_tests! {
    async fn changing_the_password_keeps_this_session_and_ends_the_others(app) {
        let (user, this) = signed_in(&app).await;
        let other = Tokens::from(&app.login(&user.email, &user.password).await);
        let id = user_id(&app, &this.access).await;
        let new = "a brand new passphrase";

        let wrong = call(&app, "POST", "/me/password", Some(&json!({"current_password": "not the password", "new_password": new})), &this.access).await;
        wrong.assert_problem(401, "invalid_credentials");
        // A wrong current password counts as a failed sign-in for the account.
        assert_eq!(app.db_count(&format!("SELECT COUNT(*) FROM login_throttle WHERE subject = 'account:{id}'")).await, 1);
        let weak = call(&app, "POST", "/me/password", Some(&json!({"current_password": user.password, "new_password": "short"})), &this.access).await;
        let problem = weak.assert_problem(400, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "new_password");
        let missing = call(&app, "POST", "/me/password", Some(&json!({"current_password": user.password})), &this.access).await;
        missing.assert_problem(400, "validation_failed");
        let unauthenticated = app.post_json("/me/password", &json!({"current_password": user.password, "new_password": new})).await;
        unauthenticated.assert_problem(401, "invalid_token");

        let changed = call(&app, "POST", "/me/password", Some(&json!({"current_password": user.password, "new_password": new})), &this.access).await;
        assert_eq!(changed.status, 204, "{}", changed.text());
        assert_eq!(changed.header("cache-control"), Some("no-store"));
        assert_eq!(app.verify(&this.access).await.status, 200, "the caller's session stays");
        app.verify(&other.access).await.assert_problem(401, "invalid_token");
        app.refresh(&other.refresh).await.assert_problem(401, "invalid_grant");
        assert_eq!(app.refresh(&this.refresh).await.status, 200);
        app.login(&user.email, &user.password).await.assert_problem(401, "invalid_credentials");
        assert_eq!(app.login(&user.email, new).await.status, 200);

        let mails = app.wait_for_mails(2).await;
        assert!(subject(&mails[1]).contains("password was changed"), "{mails:?}");
        assert_eq!(to(&mails[1]), user.email);
        let topics = outbox_topics(&app).await;
        assert!(topics.contains(&"user.password_changed".to_owned()), "{topics:?}");
        let revoked = app.db_rows("SELECT revoked_reason FROM sessions WHERE revoked_at IS NOT NULL").await;
        assert_eq!(revoked, vec![vec![Some("password_changed".to_owned())]]);
        assert_eq!(app.db_count("SELECT COUNT(*) FROM outbox WHERE topic = 'session.revoked' AND payload LIKE '%password_changed%'").await, 1);
        let stored = app.db_rows(&format!("SELECT password_hash FROM users WHERE id = '{id}'")).await;
        assert!(stored[0][0].as_deref().unwrap().starts_with("$argon2id$"));
    }

    async fn wrong_current_passwords_are_throttled_like_sign_ins(app) {
        let (_, tokens) = signed_in(&app).await;
        let body = json!({"current_password": "guess", "new_password": "a brand new passphrase"});
        for _ in 0..5 {
            call(&app, "POST", "/me/password", Some(&body), &tokens.access).await.assert_problem(401, "invalid_credentials");
        }
        let throttled = call(&app, "POST", "/me/password", Some(&body), &tokens.access).await;
        throttled.assert_problem(429, "too_many_attempts");
        assert!(throttled.header("retry-after").is_some());
        // Deleting the account needs the password too, and shares the same bucket.
        let delete = call(&app, "DELETE", "/me", Some(&json!({"password": "guess"})), &tokens.access).await;
        delete.assert_problem(429, "too_many_attempts");
    }

    async fn password_and_email_changes_are_limited_per_address(app with [("rate_limit_account_per_hour", "2")]) {
        let (user, tokens) = signed_in(&app).await;
        let body = json!({"current_password": "guess", "new_password": "a brand new passphrase"});
        for _ in 0..2 {
            call(&app, "POST", "/me/password", Some(&body), &tokens.access).await.assert_problem(401, "invalid_credentials");
        }
        let limited = call(&app, "POST", "/me/email", Some(&json!({"password": user.password, "new_email": "new@example.com"})), &tokens.access).await;
        limited.assert_problem(429, "rate_limited");
        assert!(limited.header("retry-after").is_some());
    }

    async fn an_email_change_takes_effect_only_through_the_link_sent_to_the_new_address(app) {
        let (user, tokens) = signed_in(&app).await;
        let other = app.new_user().await;
        let new_email = format!("new.{}", user.email);
        let request = |password: &str, email: &str| json!({"password": password, "new_email": email});

        call(&app, "POST", "/me/email", Some(&request("wrong password", &new_email)), &tokens.access).await.assert_problem(401, "invalid_credentials");
        call(&app, "POST", "/me/email", Some(&request(&user.password, &other.email.to_uppercase())), &tokens.access).await.assert_problem(409, "email_taken");
        let invalid = call(&app, "POST", "/me/email", Some(&request(&user.password, "not-an-address")), &tokens.access).await;
        assert_eq!(invalid.assert_problem(400, "validation_failed")["errors"][0]["field"], "new_email");
        let same = call(&app, "POST", "/me/email", Some(&request(&user.password, &user.email)), &tokens.access).await;
        assert_eq!(same.assert_problem(400, "validation_failed")["errors"][0]["code"], "unchanged");

        let before = app.mails().len();
        let accepted = call(&app, "POST", "/me/email", Some(&request(&user.password, &new_email)), &tokens.access).await;
        assert_eq!(accepted.status, 202, "{}", accepted.text());
        let mails = app.wait_for_mails(before + 2).await;
        let link_mail = mails.iter().find(|m| to(m) == new_email).expect("a mail to the new address");
        let notice = mails.iter().find(|m| to(m) == user.email && subject(m).contains("about to change")).expect("a notice to the old address");
        assert!(text(link_mail).contains("https://chatty.test/confirm-email?token="));
        assert!(!text(notice).contains(&new_email), "the notice masks the new address");
        assert!(text(notice).contains("n***@e***.com"), "{}", text(notice));
        assert!(!text(notice).contains("token="));
        let token = token_in(link_mail);

        // Until the link is used, the old address is the account's.
        assert_eq!(app.login(&user.email, &user.password).await.status, 200);
        app.login(&new_email, &user.password).await.assert_problem(401, "invalid_credentials");
        app.post_json("/me/email/confirm", &json!({"token": "not-a-token"})).await.assert_problem(400, "invalid_token");

        let confirmed = app.post_json("/me/email/confirm", &json!({"token": token})).await;
        assert_eq!(confirmed.status, 200, "{}", confirmed.text());
        let profile = confirmed.json();
        assert_eq!(profile["email"], new_email.as_str());
        assert_eq!(profile["email_verified"], true);
        assert_eq!(profile["username"], user.username.as_str());
        app.post_json("/me/email/confirm", &json!({"token": token})).await.assert_problem(400, "invalid_token");
        assert_eq!(app.login(&new_email, &user.password).await.status, 200);
        app.login(&user.email, &user.password).await.assert_problem(401, "invalid_credentials");
        let me = app.get_authorized("/me", &tokens.access).await.json();
        assert_eq!(me["email"], new_email.as_str());
        let event = app.db_rows("SELECT payload FROM outbox WHERE topic = 'user.email_changed'").await;
        assert_eq!(event.len(), 1);
        let event: Value = serde_json::from_str(event[0][0].as_deref().unwrap()).unwrap();
        assert_eq!(event["data"]["email"], new_email.as_str());
        // The token is kept only as a hash.
        assert_eq!(app.db_count(&format!("SELECT COUNT(*) FROM one_time_tokens WHERE token_hash = '{token}'")).await, 0);
    }

    async fn an_address_taken_before_the_link_is_used_is_refused(app) {
        let (user, tokens) = signed_in(&app).await;
        let wanted = "wanted@example.com";
        let before = app.mails().len();
        let accepted = call(&app, "POST", "/me/email", Some(&json!({"password": user.password, "new_email": wanted})), &tokens.access).await;
        assert_eq!(accepted.status, 202);
        let mails = app.wait_for_mails(before + 2).await;
        let token = token_in(mails.iter().find(|m| to(m) == wanted).unwrap());
        assert_eq!(app.register(wanted, "somebodyelse", "a fine long passphrase").await.status, 201);
        app.post_json("/me/email/confirm", &json!({"token": token})).await.assert_problem(409, "email_taken");
        assert_eq!(app.get_authorized("/me", &tokens.access).await.json()["email"], user.email.as_str());
    }

    async fn the_username_changes_unless_taken(app) {
        let (user, tokens) = signed_in(&app).await;
        let other = app.new_user().await;
        let patch = |name: &str| json!({"username": name});
        call(&app, "PATCH", "/me", Some(&patch(&other.username.to_uppercase())), &tokens.access).await.assert_problem(409, "username_taken");
        call(&app, "PATCH", "/me", Some(&patch("no spaces allowed")), &tokens.access).await.assert_problem(400, "validation_failed");
        call(&app, "PATCH", "/me", Some(&json!({})), &tokens.access).await.assert_problem(400, "validation_failed");
        app.client.call("PATCH", "/me", Some(&patch("fresh_name")), None).await.assert_problem(401, "invalid_token");

        let renamed = call(&app, "PATCH", "/me", Some(&patch("Fresh_Name")), &tokens.access).await;
        assert_eq!(renamed.status, 200, "{}", renamed.text());
        assert_eq!(renamed.json()["username"], "Fresh_Name");
        assert_eq!(renamed.json()["email"], user.email.as_str());
        let login = app.post_json("/login", &json!({"username": "fresh_name", "password": user.password})).await;
        assert_eq!(login.status, 200);
        let old = app.post_json("/login", &json!({"username": user.username, "password": user.password})).await;
        old.assert_problem(401, "invalid_credentials");
        let updated = app.db_rows("SELECT payload FROM outbox WHERE topic = 'user.updated'").await;
        assert_eq!(updated.len(), 1);
        let event: Value = serde_json::from_str(updated[0][0].as_deref().unwrap()).unwrap();
        assert_eq!(event["data"]["username"], "Fresh_Name");
        // The old name is free again.
        assert_eq!(app.register("someone@example.com", &user.username, "a fine long passphrase").await.status, 201);
    }

    async fn sessions_show_where_they_signed_in_and_end_one_at_a_time(app) {
        let (user, first) = signed_in(&app).await;
        let login = app.client.send(
            app.client.request("POST", "/login")
                .header("content-type", "application/json")
                .header("user-agent", "ChattyPhone/2.1 (Android 15)")
                .body(http_body_util::Full::new(bytes::Bytes::from(json!({"email": user.email, "password": user.password}).to_string())))
                .unwrap(),
        ).await;
        let second = Tokens::from(&login);
        assert_eq!(app.refresh(&second.refresh).await.status, 200);

        let listed = call(&app, "GET", "/me/sessions", None, &first.access).await;
        assert_eq!(listed.status, 200, "{}", listed.text());
        assert_eq!(listed.header("cache-control"), Some("no-store"));
        let sessions = listed.json()["sessions"].as_array().unwrap().clone();
        assert_eq!(sessions.len(), 2);
        let current: Vec<&Value> = sessions.iter().filter(|s| s["current"] == true).collect();
        assert_eq!(current.len(), 1);
        let phone = sessions.iter().find(|s| s["user_agent"] == "ChattyPhone/2.1 (Android 15)").expect("the phone's session");
        assert_eq!(phone["current"], false);
        assert_eq!(phone["client_addr"], "127.0.0.1");
        assert!(phone["last_used_at"].as_str().unwrap().ends_with('Z'), "refreshed: {phone}");
        assert!(current[0]["last_used_at"].is_null(), "never refreshed");
        for field in ["id", "created_at", "expires_at"] {
            assert!(phone[field].is_string(), "{field}: {phone}");
        }
        let phone_id = phone["id"].as_str().unwrap().to_owned();

        // Another account's session, an unknown id, and no token at all.
        let (_, stranger) = app.logged_in_user().await;
        let stranger_sid = call(&app, "GET", "/me/sessions", None, &stranger.access).await.json()["sessions"][0]["id"].as_str().unwrap().to_owned();
        call(&app, "DELETE", &format!("/me/sessions/{stranger_sid}"), None, &first.access).await.assert_problem(404, "not_found");
        assert_eq!(app.verify(&stranger.access).await.status, 200);
        call(&app, "DELETE", "/me/sessions/no-such-session", None, &first.access).await.assert_problem(404, "not_found");
        call(&app, "DELETE", &format!("/me/sessions/{}", "x".repeat(300)), None, &first.access).await.assert_problem(404, "not_found");
        app.client.call("DELETE", &format!("/me/sessions/{phone_id}"), None, None).await.assert_problem(401, "invalid_token");

        let ended = call(&app, "DELETE", &format!("/me/sessions/{phone_id}"), None, &first.access).await;
        assert_eq!(ended.status, 204, "{}", ended.text());
        app.verify(&second.access).await.assert_problem(401, "invalid_token");
        assert_eq!(app.verify(&first.access).await.status, 200);
        call(&app, "DELETE", &format!("/me/sessions/{phone_id}"), None, &first.access).await.assert_problem(404, "not_found");
        let left = call(&app, "GET", "/me/sessions", None, &first.access).await.json();
        assert_eq!(left["sessions"].as_array().unwrap().len(), 1);
        let reason = app.db_rows(&format!("SELECT revoked_reason FROM sessions WHERE id = '{phone_id}'")).await;
        assert_eq!(reason[0][0].as_deref(), Some("user_revoked"));
        assert_eq!(app.db_count(&format!("SELECT COUNT(*) FROM outbox WHERE topic = 'session.revoked' AND payload LIKE '%{phone_id}%'")).await, 1);
    }

    async fn deleting_the_account_leaves_an_anonymous_tombstone_and_frees_the_names(app) {
        let (user, tokens) = signed_in(&app).await;
        let other = Tokens::from(&app.login(&user.email, &user.password).await);
        let id = user_id(&app, &tokens.access).await;
        // A pending email change: its link and the address it names must go too.
        let pending = format!("pending.{}", user.email);
        assert_eq!(call(&app, "POST", "/me/email", Some(&json!({"password": user.password, "new_email": pending})), &tokens.access).await.status, 202);
        app.wait_for_mails(3).await;

        call(&app, "DELETE", "/me", Some(&json!({"password": "wrong password"})), &tokens.access).await.assert_problem(401, "invalid_credentials");
        call(&app, "DELETE", "/me", Some(&json!({})), &tokens.access).await.assert_problem(400, "validation_failed");
        let deleted = call(&app, "DELETE", "/me", Some(&json!({"password": user.password})), &tokens.access).await;
        assert_eq!(deleted.status, 204, "{}", deleted.text());

        for access in [&tokens.access, &other.access] {
            app.verify(access).await.assert_problem(401, "invalid_token");
            app.get_authorized("/me", access).await.assert_problem(401, "invalid_token");
            call(&app, "GET", "/me/export", None, access).await.assert_problem(401, "invalid_token");
        }
        app.refresh(&other.refresh).await.assert_problem(401, "invalid_grant");
        app.login(&user.email, &user.password).await.assert_problem(401, "invalid_credentials");

        let row = app.db_rows(&format!("SELECT email, username, password_hash, deleted_at IS NOT NULL, email_normalized FROM users WHERE id = '{id}'")).await;
        assert_eq!(row.len(), 1, "the tombstone keeps the id");
        assert_eq!(row[0][0].as_deref(), Some(""));
        assert_eq!(row[0][1].as_deref(), Some(""));
        assert_eq!(row[0][2].as_deref(), Some(""));
        assert!(matches!(row[0][3].as_deref(), Some("1" | "t")));
        assert_eq!(row[0][4].as_deref(), Some(format!("deleted:{id}").as_str()));
        assert_eq!(app.db_count(&format!("SELECT COUNT(*) FROM sessions WHERE user_id = '{id}' AND (client_addr IS NOT NULL OR user_agent IS NOT NULL OR revoked_at IS NULL)")).await, 0);
        assert_eq!(app.db_count(&format!("SELECT COUNT(*) FROM account_events WHERE user_id = '{id}'")).await, 0);
        assert_eq!(app.db_count(&format!("SELECT COUNT(*) FROM one_time_tokens WHERE user_id = '{id}'")).await, 0);
        for personal in [&user.email, &user.username, &pending] {
            let holding = app.db_count(&format!("SELECT COUNT(*) FROM outbox WHERE payload LIKE '%{personal}%'")).await;
            assert_eq!(holding, 0, "{personal} is still in the outbox");
        }
        let event = app.db_rows("SELECT payload FROM outbox WHERE topic = 'user.deleted'").await;
        assert_eq!(event.len(), 1);
        let event: Value = serde_json::from_str(event[0][0].as_deref().unwrap()).unwrap();
        assert_eq!(event["data"], json!({"user_id": id}));
        assert_eq!(app.db_count("SELECT COUNT(*) FROM outbox WHERE topic = 'session.revoked' AND payload LIKE '%account_deleted%'").await, 2);

        // The email and the username are free for a new account, which gets a new id.
        let again = app.register(&user.email, &user.username, &user.password).await;
        assert_eq!(again.status, 201, "{}", again.text());
        assert_ne!(again.json()["id"], id.as_str());
    }

    async fn the_export_holds_the_profile_sessions_and_history(app) {
        let (user, tokens) = signed_in(&app).await;
        let other = Tokens::from(&app.login(&user.email, &user.password).await);
        assert_eq!(call(&app, "PATCH", "/me", Some(&json!({"username": "renamed_user"})), &tokens.access).await.status, 200);
        let sid = call(&app, "GET", "/me/sessions", None, &other.access).await.json()["sessions"].as_array().unwrap().iter().find(|s| s["current"] == true).unwrap()["id"].as_str().unwrap().to_owned();
        assert_eq!(call(&app, "DELETE", &format!("/me/sessions/{sid}"), None, &tokens.access).await.status, 204);

        let export = call(&app, "GET", "/me/export", None, &tokens.access).await;
        assert_eq!(export.status, 200, "{}", export.text());
        assert_eq!(export.header("cache-control"), Some("no-store"));
        let body = export.json();
        assert_eq!(body["profile"]["email"], user.email.as_str());
        assert_eq!(body["profile"]["username"], "renamed_user");
        assert!(body["exported_at"].as_str().unwrap().ends_with('Z'));
        let sessions = body["sessions"].as_array().unwrap();
        assert_eq!(sessions.len(), 2, "ended sessions are part of the data: {sessions:?}");
        let ended = sessions.iter().find(|s| s["id"] == sid.as_str()).unwrap();
        assert_eq!(ended["revoked_reason"], "user_revoked");
        assert!(ended["revoked_at"].is_string());
        assert_eq!(ended["client_addr"], "127.0.0.1");
        let kinds: Vec<&str> = body["events"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
        assert_eq!(kinds, vec!["registered", "logged_in", "logged_in", "username_changed", "session_revoked"]);
        for event in body["events"].as_array().unwrap() {
            assert_eq!(event["client_addr"], "127.0.0.1");
            assert!(event["time"].as_str().unwrap().ends_with('Z'));
        }
        let text = export.text();
        assert!(!text.contains("argon2"), "no hash in the export");
        assert!(!text.contains(&tokens.refresh));
    }

    async fn the_history_is_pruned_after_its_retention(app with [("account_events_retention_days", "30")]) {
        let (_, tokens) = signed_in(&app).await;
        let id = user_id(&app, &tokens.access).await;
        let day = 86_400;
        app.db_execute(&format!("UPDATE account_events SET created_at = created_at - {} WHERE user_id = '{id}' AND kind = 'registered'", 31 * day)).await;
        app.db_execute(&format!("UPDATE account_events SET created_at = created_at - {} WHERE user_id = '{id}' AND kind = 'logged_in'", 29 * day)).await;
        let drained = app.drain().await;
        assert_eq!(drained["purged"]["account_events"], 1, "{drained}");
        let kinds = app.db_rows(&format!("SELECT kind FROM account_events WHERE user_id = '{id}'")).await;
        assert_eq!(kinds, vec![vec![Some("logged_in".to_owned())]]);
    }

    async fn account_changes_reach_the_broker_as_events(app) {
        let Some(rabbit) = Rabbit::connect().await else { return };
        rabbit.bind("user.*").await;
        let vars = [("events_origin", rabbit::api_origin()), ("events_exchange", rabbit.exchange.clone())];
        let server = app.replica(&vars).await;
        let client = auth_test_support::client::Client::new(server.base_url());
        let password = "a fine long passphrase";
        let registered = client.post_json("/register", &json!({"email": "eve@example.com", "username": "eve", "password": password}), None).await;
        let id = registered.json()["id"].as_str().unwrap().to_owned();
        let tokens = Tokens::from(&client.post_json("/login", &json!({"email": "eve@example.com", "password": password}), None).await);
        let patched = client.call("PATCH", "/me", Some(&json!({"username": "eve2"})), Some(&tokens.access)).await;
        assert_eq!(patched.status, 200);
        let changed = client.call("POST", "/me/password", Some(&json!({"current_password": password, "new_password": "another fine passphrase"})), Some(&tokens.access)).await;
        assert_eq!(changed.status, 204);
        let deleted = client.call("DELETE", "/me", Some(&json!({"password": "another fine passphrase"})), Some(&tokens.access)).await;
        assert_eq!(deleted.status, 204);
        server.settle().await;
        let messages = rabbit.take_at_least(5).await;
        let keys: Vec<&str> = messages.iter().map(|m| m.routing_key.as_str()).collect();
        for key in ["user.updated", "user.password_changed", "user.deleted"] {
            assert!(keys.contains(&key), "{key} missing from {keys:?}");
        }
        let updated = messages.iter().find(|m| m.routing_key == "user.updated").unwrap();
        assert_eq!(updated.payload["data"], json!({"user_id": id, "email": "eve@example.com", "username": "eve2"}));
        let gone = messages.iter().find(|m| m.routing_key == "user.deleted").unwrap();
        assert_eq!(gone.payload["type"], "chatty.auth.user.deleted");
        assert_eq!(gone.payload["data"], json!({"user_id": id}));
        rabbit.cleanup().await;
    }
}
