use super::password_reset::{subject, token_in};
use crate::backend_tests;
use auth_test_support::app::Tokens;
use serde_json::json;
use std::time::Duration;

backend_tests! {
    async fn registration_mails_a_link_that_verifies_the_address(app) {
        let user = app.new_user().await;
        let mails = app.wait_for_mails(1).await;
        assert_eq!(subject(&mails[0]), "Confirm your email for Chatty");
        let token = token_in(&mails[0]);
        assert!(mails[0]["HTML"].as_str().unwrap().contains(&format!("https://chatty.test/verify-email?token={token}")));
        let response = app.post_json("/verify-email", &json!({"token": token})).await;
        assert_eq!(response.status, 200, "{}", response.text());
        assert_eq!(response.json()["email_verified"], true);
        let tokens = Tokens::from(&app.login(&user.email, &user.password).await);
        assert_eq!(app.get_authorized("/me", &tokens.access).await.json()["email_verified"], true);
        assert_eq!(app.verify(&tokens.access).await.json()["email_verified"], true);
        // Single use.
        app.post_json("/verify-email", &json!({"token": token})).await.assert_problem(400, "invalid_token");
    }

    async fn an_expired_or_unknown_verification_link_is_refused(app) {
        app.new_user().await;
        let token = token_in(&app.wait_for_mails(1).await[0]);
        app.clock.advance(Duration::from_secs(24 * 3600 + 1));
        app.post_json("/verify-email", &json!({"token": token})).await.assert_problem(400, "invalid_token");
        app.post_json("/verify-email", &json!({"token": "x"})).await.assert_problem(400, "invalid_token");
        app.post_json("/verify-email", &json!({})).await.assert_problem(400, "validation_failed");
    }

    async fn resending_is_always_accepted_and_mails_only_unverified_accounts(app) {
        let user = app.new_user().await;
        let first = token_in(&app.wait_for_mails(1).await[0]);
        let unknown = app.post_json("/verify-email/resend", &json!({"email": "ghost@example.com"})).await;
        let known = app.post_json("/verify-email/resend", &json!({"email": user.email})).await;
        assert_eq!((unknown.status, known.status), (202, 202));
        assert_eq!(unknown.body, known.body);
        let mails = app.wait_for_mails(2).await;
        assert_eq!(mails.len(), 2);
        let second = token_in(&mails[1]);
        // The new link replaces the old one.
        app.post_json("/verify-email", &json!({"token": first})).await.assert_problem(400, "invalid_token");
        assert_eq!(app.post_json("/verify-email", &json!({"token": second})).await.status, 200);
        // Verified accounts get no more mail.
        assert_eq!(app.post_json("/verify-email/resend", &json!({"email": user.email})).await.status, 202);
        app.server.settle().await;
        assert_eq!(app.mails().len(), 2);
    }

    async fn resending_is_throttled_like_password_reset(app) {
        let user = app.new_user().await;
        for _ in 0..4 {
            assert_eq!(app.post_json("/verify-email/resend", &json!({"email": user.email})).await.status, 202);
        }
        assert_eq!(app.queued_mails("email_verification").await, 3, "registration's mail plus two resends");
        app.wait_for_mails(3).await;
        assert_eq!(app.mails().len(), 3);
    }
}
