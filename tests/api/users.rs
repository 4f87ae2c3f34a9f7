use super::platform::{admin_token, id_of};
use crate::backend_tests;
use serde_json::json;

backend_tests! {
    async fn a_signed_in_user_reads_public_profiles_by_id_and_by_username(app) {
        let (_, mine) = app.logged_in_user().await;
        let (other, theirs) = app.logged_in_user().await;
        let other_id = id_of(&app, &theirs).await;

        let by_id = app.get_authorized(&format!("/users/{other_id}"), &mine.access).await;
        assert_eq!(by_id.status, 200, "{}", by_id.text());
        assert_eq!(by_id.header("cache-control"), Some("no-store"));
        let profile = by_id.json();
        let keys: Vec<&String> = profile.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["created_at", "id", "username"], "only public fields: {profile}");
        assert_eq!(profile["id"], other_id.as_str());
        assert_eq!(profile["username"], other.username.as_str());
        assert!(profile["created_at"].as_str().unwrap().ends_with('Z'));

        // Case-insensitive, and the query string is form-decoded.
        let shouted = other.username.to_uppercase();
        let by_name = app.get_authorized(&format!("/users?username=+{shouted}"), &mine.access).await;
        assert_eq!(by_name.status, 200, "{}", by_name.text());
        assert_eq!(by_name.json(), profile);
    }

    async fn unknown_users_are_404_and_bad_lookups_400(app) {
        let (_, tokens) = app.logged_in_user().await;
        for path in ["/users/0190a0a0-0000-7000-8000-000000000000", "/users/not-a-uuid", "/users?username=nobody", &format!("/users?username={}", "x".repeat(100)), "/users?username=a%00b"] {
            app.get_authorized(path, &tokens.access).await.assert_problem(404, "user_not_found");
        }
        for path in ["/users", "/users?username=", "/users?username=a&username=b", "/users?username=%FF"] {
            app.get_authorized(path, &tokens.access).await.assert_problem(400, "validation_failed");
        }
    }

    async fn profiles_need_a_valid_access_token(app) {
        let (_, tokens) = app.logged_in_user().await;
        let id = id_of(&app, &tokens).await;
        for token in [None, Some("junk"), Some(admin_token(&app).as_str())] {
            let response = app.client.get(&format!("/users/{id}"), token).await;
            response.assert_problem(401, "invalid_token");
        }
        app.post_json_authorized("/logout/all", &json!({}), &tokens.access).await;
        app.get_authorized(&format!("/users/{id}"), &tokens.access).await.assert_problem(401, "invalid_token");
    }

    async fn disabled_accounts_are_not_shown(app) {
        let (_, mine) = app.logged_in_user().await;
        let (other, theirs) = app.logged_in_user().await;
        let other_id = id_of(&app, &theirs).await;
        let disabled = app.post_json_authorized(&format!("/admin/users/{other_id}/disable"), &json!({"reason": "spam"}), &admin_token(&app)).await;
        assert_eq!(disabled.status, 200, "{}", disabled.text());
        app.get_authorized(&format!("/users/{other_id}"), &mine.access).await.assert_problem(404, "user_not_found");
        app.get_authorized(&format!("/users?username={}", other.username), &mine.access).await.assert_problem(404, "user_not_found");
    }
}
