use crate::backend_tests;
use auth_test_support::jwt::decode_parts;
use serde_json::json;
use std::time::Instant;

backend_tests! {
    async fn logging_in_returns_an_access_token_and_a_refresh_token(app) {
        let user = app.new_user().await;
        let response = app.login(&user.email, &user.password).await;
        assert_eq!(response.status, 200, "{}", response.text());
        assert_eq!(response.header("cache-control"), Some("no-store"));
        let body = response.json();
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["expires_in"], 900);
        assert_eq!(body["refresh_expires_in"], 2_592_000);
        assert_eq!(body["refresh_token"].as_str().unwrap().len(), 43);
        let (header, claims) = decode_parts(body["access_token"].as_str().unwrap());
        assert_eq!(header["alg"], "EdDSA");
        assert_eq!(header["typ"], "at+jwt");
        assert!(header["kid"].is_string());
        assert_eq!(claims["iss"], "https://auth.chatty.test");
        assert_eq!(claims["aud"], "chatty");
        assert_eq!(claims["username"], user.username.as_str());
        assert_eq!(claims["email"], user.email.as_str());
        assert_eq!(claims["email_verified"], false);
        assert_eq!(claims["is_admin"], false);
        for claim in ["sub", "exp", "iat", "nbf", "jti", "sid"] {
            assert!(!claims[claim].is_null(), "missing {claim}: {claims}");
        }
        assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 900);
        // Only the hash of the refresh token is kept.
        let refresh = body["refresh_token"].as_str().unwrap();
        let stored = app.db_rows("SELECT token_hash FROM refresh_tokens").await;
        assert_eq!(stored.len(), 1);
        assert_ne!(stored[0][0].as_deref(), Some(refresh));
        assert_eq!(stored[0][0].as_ref().unwrap().len(), 64);
    }

    async fn the_username_works_in_place_of_the_email_in_any_case(app) {
        let user = app.new_user().await;
        let response = app
            .post_json("/login", &json!({"username": user.username.to_uppercase(), "password": user.password}))
            .await;
        assert_eq!(response.status, 200, "{}", response.text());
    }

    async fn the_email_is_matched_whatever_its_case_and_spacing(app) {
        let user = app.new_user().await;
        let shouted = format!("  {}  ", user.email.to_uppercase());
        assert_eq!(app.login(&shouted, &user.password).await.status, 200);
    }

    async fn a_wrong_password_and_an_unknown_account_get_the_same_answer(app) {
        let user = app.new_user().await;
        let wrong = app.login(&user.email, "not the password at all").await;
        let unknown = app.login("nobody@example.com", &user.password).await;
        let a = wrong.assert_problem(401, "invalid_credentials");
        let b = unknown.assert_problem(401, "invalid_credentials");
        assert_eq!(a, b);
        assert_eq!(app.db_rows("SELECT COUNT(*) FROM sessions").await[0][0].as_deref(), Some("0"));
    }

    async fn missing_fields_are_a_validation_error(app) {
        let problem = app.post_json("/login", &json!({"password": "x"})).await.assert_problem(400, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "email");
        let problem = app.post_json("/login", &json!({"email": "a@example.com"})).await.assert_problem(400, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "password");
        assert_eq!(problem["errors"][0]["code"], "required");
    }
}

backend_tests! {
    async fn an_unknown_account_costs_a_full_password_hash(app with [("password_hash_memory_kib", "19456"), ("password_hash_iterations", "2")]) {
        let user = app.new_user().await;
        let time = |email: String, password: String| {
            let app = &app;
            async move {
                let started = Instant::now();
                let response = app.login(&email, &password).await;
                assert_eq!(response.status, 401);
                started.elapsed()
            }
        };
        let mut wrong = Vec::new();
        let mut unknown = Vec::new();
        for _ in 0..5 {
            wrong.push(time(user.email.clone(), "definitely wrong".into()).await);
            unknown.push(time("ghost@example.com".into(), "definitely wrong".into()).await);
        }
        // The same argon2id work either way. The fastest of five is the work itself, whatever else
        // the machine is doing; without the dummy hash an unknown account would answer in ~1 ms.
        let (wrong, unknown) = (wrong.iter().min().unwrap(), unknown.iter().min().unwrap());
        assert!(*unknown * 2 > *wrong, "unknown {unknown:?} vs wrong {wrong:?}");
        assert!(*wrong * 2 > *unknown, "unknown {unknown:?} vs wrong {wrong:?}");
    }

    async fn a_hash_weaker_than_the_configured_costs_is_upgraded_at_login(app) {
        let user = app.new_user().await;
        let before = app.db_rows("SELECT password_hash FROM users").await[0][0].clone().unwrap();
        assert!(before.contains("m=256,t=1,p=1"), "{before}");
        let stronger = app.replica(&[("password_hash_memory_kib", "1024".to_owned()), ("password_hash_iterations", "2".to_owned())]).await;
        let client = auth_test_support::client::Client::new(stronger.base_url());
        let response = client.post_json("/login", &json!({"email": user.email, "password": user.password}), None).await;
        assert_eq!(response.status, 200);
        stronger.settle().await;
        let after = app.db_rows("SELECT password_hash FROM users").await[0][0].clone().unwrap();
        assert!(after.contains("m=1024,t=2,p=1"), "{after}");
        // The upgraded hash still holds the same password.
        assert_eq!(app.login(&user.email, &user.password).await.status, 200);
    }
}
