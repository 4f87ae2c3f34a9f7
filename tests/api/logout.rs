use crate::backend_tests;
use serde_json::json;

backend_tests! {
    async fn logout_revokes_that_session_only(app) {
        let (user, first) = app.logged_in_user().await;
        let second = auth_test_support::app::Tokens::from(&app.login(&user.email, &user.password).await);
        let response = app.post_json("/logout", &json!({"refresh_token": first.refresh})).await;
        assert_eq!(response.status, 204);
        assert!(response.body.is_empty());
        app.refresh(&first.refresh).await.assert_problem(401, "invalid_grant");
        app.verify(&first.access).await.assert_problem(401, "invalid_token");
        assert_eq!(app.verify(&second.access).await.status, 200);
        assert_eq!(app.refresh(&second.refresh).await.status, 200);
    }

    async fn logout_is_idempotent_for_unknown_revoked_and_malformed_tokens(app) {
        let (_, tokens) = app.logged_in_user().await;
        for token in [tokens.refresh.as_str(), tokens.refresh.as_str(), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "junk"] {
            let response = app.post_json("/logout", &json!({"refresh_token": token})).await;
            assert_eq!(response.status, 204, "{token}: {}", response.text());
        }
        app.post_json("/logout", &json!({})).await.assert_problem(400, "validation_failed");
    }

    async fn logout_with_a_bearer_token_only_revokes_the_callers_own_session(app) {
        let (_, mine) = app.logged_in_user().await;
        let (_, theirs) = app.logged_in_user().await;
        let response = app.post_json_authorized("/logout", &json!({"refresh_token": theirs.refresh}), &mine.access).await;
        assert_eq!(response.status, 204);
        assert_eq!(app.verify(&theirs.access).await.status, 200, "someone else's session is untouched");
        let response = app.post_json_authorized("/logout", &json!({"refresh_token": mine.refresh}), &mine.access).await;
        assert_eq!(response.status, 204);
        app.verify(&mine.access).await.assert_problem(401, "invalid_token");
        let response = app.post_json_authorized("/logout", &json!({"refresh_token": theirs.refresh}), "bad.token.here").await;
        response.assert_problem(401, "invalid_token");
    }

    async fn logout_all_revokes_every_session_of_the_user(app) {
        let (user, first) = app.logged_in_user().await;
        let second = auth_test_support::app::Tokens::from(&app.login(&user.email, &user.password).await);
        let (_, bystander) = app.logged_in_user().await;
        let response = app.post_json_authorized("/logout/all", &json!({}), &second.access).await;
        assert_eq!(response.status, 204);
        for tokens in [&first, &second] {
            app.verify(&tokens.access).await.assert_problem(401, "invalid_token");
            app.refresh(&tokens.refresh).await.assert_problem(401, "invalid_grant");
        }
        assert_eq!(app.verify(&bystander.access).await.status, 200);
        app.post_json("/logout/all", &json!({})).await.assert_problem(401, "invalid_token");
        // A new login still works afterwards.
        assert_eq!(app.login(&user.email, &user.password).await.status, 200);
    }
}
