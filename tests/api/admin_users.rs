use super::platform::{admin_token, admin_user, audit_lines, events, id_of, send_json};
use crate::backend_tests;
use auth_test_support::app::Tokens;
use serde_json::json;

backend_tests! {
    async fn only_admins_and_the_admin_token_may_call_the_admin_api(app) {
        let (user, tokens) = app.logged_in_user().await;
        let id = id_of(&app, &tokens).await;
        let path = format!("/admin/users/{id}");
        app.get(&path).await.assert_problem(401, "admin_unauthorized");
        let refused = app.get_authorized(&path, "wrong-token").await.assert_problem(401, "admin_unauthorized");
        assert!(!refused.to_string().contains(&admin_token(&app)));
        app.get_authorized(&path, &tokens.access).await.assert_problem(403, "admin_required");
        assert_eq!(app.get_authorized(&path, &admin_token(&app)).await.status, 200);

        // Made admin: the role arrives with the next token, not the current one.
        let granted = send_json(&app, "PUT", &format!("{path}/role"), &json!({"is_admin": true}), &admin_token(&app)).await;
        assert_eq!(granted.status, 200, "{}", granted.text());
        assert_eq!(granted.json()["is_admin"], true);
        app.get_authorized(&path, &tokens.access).await.assert_problem(403, "admin_required");
        let fresh = Tokens::from(&app.login(&user.email, &user.password).await);
        assert_eq!(app.get_authorized("/admin/users", &fresh.access).await.status, 200);
    }

    async fn one_user_is_a_full_profile_with_its_live_sessions(app) {
        let (user, tokens) = app.logged_in_user().await;
        app.login(&user.email, &user.password).await;
        let id = id_of(&app, &tokens).await;
        let response = app.get_authorized(&format!("/admin/users/{id}"), &admin_token(&app)).await;
        assert_eq!(response.status, 200, "{}", response.text());
        assert_eq!(response.header("cache-control"), Some("no-store"));
        let profile = response.json();
        assert_eq!(profile["id"], id.as_str());
        assert_eq!(profile["email"], user.email.as_str());
        assert_eq!(profile["username"], user.username.as_str());
        assert_eq!(profile["email_verified"], false);
        assert_eq!(profile["is_admin"], false);
        assert_eq!(profile["status"], "active");
        assert_eq!(profile["disabled_at"], serde_json::Value::Null);
        assert_eq!(profile["disabled_reason"], serde_json::Value::Null);
        assert!(profile["created_at"].as_str().unwrap().ends_with('Z'));
        assert!(profile["last_login_at"].as_str().unwrap().ends_with('Z'));
        assert_eq!(profile["live_sessions"], 2);
        app.post_json_authorized("/logout/all", &json!({}), &tokens.access).await;
        let after = app.get_authorized(&format!("/admin/users/{id}"), &admin_token(&app)).await.json();
        assert_eq!(after["live_sessions"], 0);
        for missing in ["0190a0a0-0000-7000-8000-000000000000", "nope"] {
            app.get_authorized(&format!("/admin/users/{missing}"), &admin_token(&app)).await.assert_problem(404, "user_not_found");
        }
    }

    async fn the_list_searches_by_prefix_and_pages_with_a_cursor(app) {
        let token = admin_token(&app);
        for name in ["zed_one", "zed_two", "zedthree", "other"] {
            let registered = app.register(&format!("{name}@example.com"), name, "correct horse battery staple").await;
            assert_eq!(registered.status, 201, "{}", registered.text());
        }
        let mut seen = Vec::new();
        let mut path = "/admin/users?query=ZED&limit=2".to_owned();
        loop {
            let page = app.get_authorized(&path, &token).await;
            assert_eq!(page.status, 200, "{}", page.text());
            let body = page.json();
            let users = body["users"].as_array().unwrap();
            assert!(users.len() <= 2);
            seen.extend(users.iter().map(|u| u["username"].as_str().unwrap().to_owned()));
            match body["next_cursor"].as_str() {
                Some(cursor) => path = format!("/admin/users?query=ZED&limit=2&cursor={cursor}"),
                None => break,
            }
        }
        assert_eq!(seen, ["zedthree", "zed_two", "zed_one"], "newest first, each once");
        assert_eq!(users_of(&app, "/admin/users?query=other%40example").await, ["other"]);
        // `_` and `%` are the typed characters, not wildcards.
        assert_eq!(users_of(&app, "/admin/users?query=zed_").await, ["zed_two", "zed_one"]);
        assert!(users_of(&app, "/admin/users?query=%25").await.is_empty());
        assert_eq!(users_of(&app, "/admin/users").await.len(), 4);
        assert_eq!(users_of(&app, "/admin/users?query=").await.len(), 4);
        for bad in ["limit=0", "limit=201", "limit=x", "cursor=abc", "query=a&query=b", "query=a%00", "cursor=", "limit="] {
            app.get_authorized(&format!("/admin/users?{bad}"), &token).await.assert_problem(400, "validation_failed");
        }
    }

    async fn disabling_ends_every_session_and_refuses_sign_in_until_enabled(app) {
        let (user, first) = app.logged_in_user().await;
        let second = Tokens::from(&app.login(&user.email, &user.password).await);
        let (_, bystander) = app.logged_in_user().await;
        let (_, admin, admin_id) = admin_user(&app).await;
        let id = id_of(&app, &first).await;

        let response = app.post_json_authorized(&format!("/admin/users/{id}/disable"), &json!({"reason": "  spam  "}), &admin.access).await;
        assert_eq!(response.status, 200, "{}", response.text());
        let profile = response.json();
        assert_eq!(profile["status"], "disabled");
        assert_eq!(profile["disabled_reason"], "spam");
        assert_eq!(profile["live_sessions"], 0);
        for tokens in [&first, &second] {
            app.verify(&tokens.access).await.assert_problem(401, "invalid_token");
            app.refresh(&tokens.refresh).await.assert_problem(401, "invalid_grant");
        }
        assert_eq!(app.verify(&bystander.access).await.status, 200);
        app.login(&user.email, &user.password).await.assert_problem(403, "account_disabled");
        app.login(&user.email, "not the password at all").await.assert_problem(401, "invalid_credentials");
        let rows = app.db_rows(&format!("SELECT disabled_at IS NOT NULL, disabled_reason FROM users WHERE id = '{id}'")).await;
        assert!(matches!(rows[0][0].as_deref(), Some("1" | "t" | "true")), "{rows:?}");
        assert_eq!(rows[0][1].as_deref(), Some("spam"));

        // Again: nothing changes, no second event.
        assert_eq!(app.post_json_authorized(&format!("/admin/users/{id}/disable"), &json!({"reason": "again"}), &admin.access).await.status, 200);
        let disabled = events(&app, "user.disabled").await;
        assert_eq!(disabled.len(), 1);
        assert_eq!(disabled[0]["data"], json!({"user_id": id, "reason": "spam", "actor": admin_id}));
        let revoked: Vec<_> = events(&app, "session.revoked").await.into_iter().filter(|e| e["data"]["user_id"] == id.as_str()).collect();
        assert_eq!(revoked.len(), 2);
        assert!(revoked.iter().all(|e| e["data"]["reason"] == "account_disabled"));
        let audit = audit_lines(&app, "user_disabled");
        assert_eq!(audit.len(), 2);
        assert_eq!(audit[0]["user_id"], id.as_str());
        assert_eq!(audit[0]["actor"], admin_id.as_str());
        assert_eq!(audit[1]["reason"], "already_disabled");

        let enabled = app.post_json_authorized(&format!("/admin/users/{id}/enable"), &json!({}), &admin_token(&app)).await;
        assert_eq!(enabled.status, 200, "{}", enabled.text());
        assert_eq!(enabled.json()["status"], "active");
        assert_eq!(events(&app, "user.enabled").await[0]["data"], json!({"user_id": id, "actor": "admin_token"}));
        assert_eq!(audit_lines(&app, "user_enabled")[0]["actor"], "admin_token");
        let back = app.login(&user.email, &user.password).await;
        assert_eq!(back.status, 200, "{}", back.text());
    }

    async fn disabling_needs_a_reason_and_a_known_user(app) {
        let (_, tokens) = app.logged_in_user().await;
        let id = id_of(&app, &tokens).await;
        let token = admin_token(&app);
        for body in [json!({}), json!({"reason": "   "}), json!({"reason": 7}), json!({"reason": "x".repeat(501)})] {
            app.post_json_authorized(&format!("/admin/users/{id}/disable"), &body, &token).await.assert_problem(400, "validation_failed");
        }
        app.post_json_authorized("/admin/users/0190a0a0-0000-7000-8000-000000000000/disable", &json!({"reason": "x"}), &token).await.assert_problem(404, "user_not_found");
        app.post_json_authorized("/admin/users/0190a0a0-0000-7000-8000-000000000000/enable", &json!({}), &token).await.assert_problem(404, "user_not_found");
        assert_eq!(app.verify(&tokens.access).await.status, 200, "nothing happened to the account");
    }

    async fn removing_the_admin_role_ends_sessions_but_the_last_admin_stays(app) {
        let (first, first_tokens, first_id) = admin_user(&app).await;
        // The only admin cannot step down.
        send_json(&app, "PUT", &format!("/admin/users/{first_id}/role"), &json!({"is_admin": false}), &first_tokens.access).await.assert_problem(409, "last_admin");
        assert_eq!(audit_lines(&app, "user_role_changed")[0]["reason"], "last_admin");
        let (_, second_tokens, second_id) = admin_user(&app).await;
        send_json(&app, "PUT", &format!("/admin/users/{first_id}/role"), &json!({"is_admin": "no"}), &first_tokens.access).await.assert_problem(400, "validation_failed");
        let stepped_down = send_json(&app, "PUT", &format!("/admin/users/{first_id}/role"), &json!({"is_admin": false}), &first_tokens.access).await;
        assert_eq!(stepped_down.status, 200, "{}", stepped_down.text());
        assert_eq!(stepped_down.json()["is_admin"], false);
        app.verify(&first_tokens.access).await.assert_problem(401, "invalid_token");
        let events = events(&app, "user.role_changed").await;
        assert_eq!(events.last().unwrap()["data"], json!({"user_id": first_id, "is_admin": false, "actor": first_id}));
        // Now the second admin is the last one; the first, signed in again, is a plain user.
        send_json(&app, "PUT", &format!("/admin/users/{second_id}/role"), &json!({"is_admin": false}), &second_tokens.access).await.assert_problem(409, "last_admin");
        let again = Tokens::from(&app.login(&first.email, &first.password).await);
        app.get_authorized("/admin/users", &again.access).await.assert_problem(403, "admin_required");
        // Setting the role it already has changes nothing.
        let same = send_json(&app, "PUT", &format!("/admin/users/{second_id}/role"), &json!({"is_admin": true}), &admin_token(&app)).await;
        assert_eq!(same.status, 200);
        assert_eq!(app.verify(&second_tokens.access).await.status, 200);
    }
}

async fn users_of(app: &auth_test_support::TestApp, path: &str) -> Vec<String> {
    let page = app.get_authorized(path, &admin_token(app)).await;
    assert_eq!(page.status, 200, "{}", page.text());
    page.json()["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap().to_owned())
        .collect()
}

backend_tests! {
    async fn an_admin_deletes_an_account_as_its_owner_could(app) {
        let (user, tokens) = app.logged_in_user().await;
        let id = id_of(&app, &tokens).await;
        let path = format!("/admin/users/{id}");
        send_json(&app, "DELETE", &path, &json!({}), &tokens.access).await.assert_problem(403, "admin_required");
        let deleted = send_json(&app, "DELETE", &path, &json!({}), &admin_token(&app)).await;
        assert_eq!(deleted.status, 204, "{}", deleted.text());
        app.verify(&tokens.access).await.assert_problem(401, "invalid_token");
        app.get_authorized(&path, &admin_token(&app)).await.assert_problem(404, "user_not_found");
        send_json(&app, "DELETE", &path, &json!({}), &admin_token(&app)).await.assert_problem(404, "user_not_found");
        let gone = events(&app, "user.deleted").await;
        assert_eq!(gone.len(), 1);
        assert_eq!(gone[0]["data"], json!({"user_id": id}));
        let row = app.db_rows(&format!("SELECT email, username, password_hash FROM users WHERE id = '{id}'")).await;
        assert_eq!(row, vec![vec![Some(String::new()), Some(String::new()), Some(String::new())]]);
        app.server.settle().await;
        let lines = audit_lines(&app, "account_deleted");
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0]["actor"], "admin_token");
        // The address and the name are free again.
        assert_eq!(app.register(&user.email, &user.username, &user.password).await.status, 201);
    }
}
