use crate::backend_tests;
use auth_test_support::app::Tokens;
use auth_test_support::jwt::{self, KEY_A_KID, KEY_A_PEM, KEY_A_X, KEY_B_PEM};
use serde_json::{Value, json};
use std::time::Duration;

fn assert_invalid_token(response: &auth_test_support::TestResponse) {
    response.assert_problem(401, "invalid_token");
    assert_eq!(
        response.header("www-authenticate"),
        Some(r#"Bearer error="invalid_token""#)
    );
}

backend_tests! {
    async fn a_valid_access_token_is_reported_active_with_its_claims(app) {
        let (user, tokens) = app.logged_in_user().await;
        let response = app.verify(&tokens.access).await;
        assert_eq!(response.status, 200, "{}", response.text());
        assert_eq!(response.header("cache-control"), Some("no-store"));
        let body = response.json();
        let (_, claims) = jwt::decode_parts(&tokens.access);
        assert_eq!(body["active"], true);
        assert_eq!(body["sub"], claims["sub"]);
        assert_eq!(body["session_id"], claims["sid"]);
        assert_eq!(body["username"], user.username.as_str());
        assert_eq!(body["email"], user.email.as_str());
        assert_eq!(body["email_verified"], false);
        assert_eq!(body["is_admin"], false);
        assert_eq!(body["exp"], claims["exp"]);
        assert_eq!(body["iat"], claims["iat"]);
    }

    async fn me_returns_the_profile_of_the_token_holder(app) {
        let (user, tokens) = app.logged_in_user().await;
        let response = app.get_authorized("/me", &tokens.access).await;
        assert_eq!(response.status, 200);
        let body = response.json();
        assert_eq!(body["email"], user.email.as_str());
        assert_eq!(body["username"], user.username.as_str());
        assert_eq!(body["email_verified"], false);
        assert!(body["id"].is_string() && body["created_at"].is_string());
        assert_invalid_token(&app.get("/me").await);
    }

    async fn the_admin_flag_comes_from_the_database(app) {
        let (user, tokens) = app.logged_in_user().await;
        assert_eq!(app.verify(&tokens.access).await.json()["is_admin"], false);
        app.db_execute(&format!("UPDATE users SET is_admin = TRUE WHERE username = '{}'", user.username)).await;
        let again = Tokens::from(&app.login(&user.email, &user.password).await);
        assert_eq!(app.verify(&again.access).await.json()["is_admin"], true);
    }

    async fn missing_and_malformed_authorization_is_refused(app) {
        assert_invalid_token(&app.get("/verify").await);
        for value in ["Bearer", "Basic dXNlcjpwYXNz", "Bearer not.a.jwt", "Bearer a.b.c", "Bearer ....", "token"] {
            let request = app.client.request("GET", "/verify").header("authorization", value).body(Default::default()).unwrap();
            assert_invalid_token(&app.client.send(request).await);
        }
    }

    async fn an_expired_access_token_is_refused(app) {
        let (_, tokens) = app.logged_in_user().await;
        app.clock.advance(Duration::from_secs(899));
        assert_eq!(app.verify(&tokens.access).await.status, 200);
        app.clock.advance(Duration::from_secs(10));
        assert_invalid_token(&app.verify(&tokens.access).await);
    }

    async fn a_token_signed_by_another_deployment_is_refused(app) {
        let (_, tokens) = app.logged_in_user().await;
        let other = app.replica(&[("jwt_private_key", KEY_B_PEM.to_owned())]).await;
        let client = auth_test_support::client::Client::new(other.base_url());
        assert_invalid_token(&client.get("/verify", Some(&tokens.access)).await);
    }

    async fn a_token_with_a_tampered_payload_is_refused(app) {
        let (_, tokens) = app.logged_in_user().await;
        let parts: Vec<&str> = tokens.access.split('.').collect();
        let (_, mut claims) = jwt::decode_parts(&tokens.access);
        claims["is_admin"] = json!(true);
        let forged = format!("{}.{}.{}", parts[0], jwt::b64url(claims.to_string().as_bytes()), parts[2]);
        assert_invalid_token(&app.verify(&forged).await);
        let mut signature = jwt::b64url_decode(parts[2]);
        signature[0] ^= 1;
        let bad_signature = format!("{}.{}.{}", parts[0], parts[1], jwt::b64url(&signature));
        assert_invalid_token(&app.verify(&bad_signature).await);
    }

    async fn a_revoked_session_refuses_its_access_tokens(app) {
        let (_, tokens) = app.logged_in_user().await;
        assert_eq!(app.verify(&tokens.access).await.status, 200);
        let response = app.post_json("/logout", &json!({"refresh_token": tokens.refresh})).await;
        assert_eq!(response.status, 204);
        assert_invalid_token(&app.verify(&tokens.access).await);
    }

    async fn the_jwks_verifies_issued_tokens_with_an_independent_library(app) {
        let (_, tokens) = app.logged_in_user().await;
        let response = app.get("/.well-known/jwks.json").await;
        assert_eq!(response.status, 200);
        let max_age = response.header("cache-control").unwrap().to_owned();
        assert!(max_age.starts_with("public, max-age="), "{max_age}");
        let jwks: jsonwebtoken::jwk::JwkSet = serde_json::from_slice(&response.body).unwrap();
        let (header, _) = jwt::decode_parts(&tokens.access);
        let jwk = jwks.find(header["kid"].as_str().unwrap()).expect("the token's key is published");
        let raw: Value = response.json()["keys"][0].clone();
        assert_eq!((raw["kty"].as_str(), raw["crv"].as_str(), raw["alg"].as_str(), raw["use"].as_str()), (Some("OKP"), Some("Ed25519"), Some("EdDSA"), Some("sig")));
        let key = jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap();
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
        validation.set_issuer(&["https://auth.chatty.test"]);
        validation.set_audience(&["chatty"]);
        let decoded = jsonwebtoken::decode::<Value>(&tokens.access, &key, &validation).expect("verifies");
        assert_eq!(decoded.claims["aud"], "chatty");
        // The key set is stable between fetches.
        assert_eq!(app.get("/.well-known/jwks.json").await.body, response.body);
    }
}

/// Claims exactly as the service would issue them for a real session, so that each forgery below
/// differs from a valid token in one respect only.
async fn genuine_claims(app: &auth_test_support::TestApp, tokens: &Tokens) -> Value {
    let (_, claims) = jwt::decode_parts(&tokens.access);
    assert_eq!(app.verify(&tokens.access).await.status, 200);
    claims
}

backend_tests! {
    async fn forged_tokens_are_refused_one_flaw_at_a_time(app with [("jwt_private_key", KEY_A_PEM)]) {
        let (_, tokens) = app.logged_in_user().await;
        let claims = genuine_claims(&app, &tokens).await;
        let (header, _) = jwt::decode_parts(&tokens.access);
        assert_eq!(header["kid"], KEY_A_KID);

        // Control: signed by the real key, with the real header: accepted.
        let control = jwt::sign_eddsa(KEY_A_PEM, Some(KEY_A_KID), Some("at+jwt"), &claims);
        assert_eq!(app.verify(&control).await.status, 200, "the forging harness itself works");

        let with = |name: &str, value: Value| {
            let mut c = claims.clone();
            c[name] = value;
            c
        };
        let now = app.now();
        let forgeries: Vec<(&str, String)> = vec![
            ("alg none", jwt::unsigned(KEY_A_KID, &claims)),
            ("HS256 keyed with the public key", jwt::sign_hs256(KEY_A_X.as_bytes(), KEY_A_KID, &claims)),
            ("HS256 keyed with the raw public key", jwt::sign_hs256(&jwt::b64url_decode(KEY_A_X), KEY_A_KID, &claims)),
            ("another key under the real kid", jwt::sign_eddsa(KEY_B_PEM, Some(KEY_A_KID), Some("at+jwt"), &claims)),
            ("unknown kid", jwt::sign_eddsa(KEY_A_PEM, Some("some-other-kid"), Some("at+jwt"), &claims)),
            ("no kid", jwt::sign_eddsa(KEY_A_PEM, None, Some("at+jwt"), &claims)),
            ("typ JWT", jwt::sign_eddsa(KEY_A_PEM, Some(KEY_A_KID), Some("JWT"), &claims)),
            ("no typ", jwt::sign_eddsa(KEY_A_PEM, Some(KEY_A_KID), None, &claims)),
            ("wrong issuer", jwt::sign_eddsa(KEY_A_PEM, Some(KEY_A_KID), Some("at+jwt"), &with("iss", json!("https://evil.test")))),
            ("wrong audience", jwt::sign_eddsa(KEY_A_PEM, Some(KEY_A_KID), Some("at+jwt"), &with("aud", json!("other-platform")))),
            ("expired", jwt::sign_eddsa(KEY_A_PEM, Some(KEY_A_KID), Some("at+jwt"), &with("exp", json!(now - 60)))),
            ("not yet valid", jwt::sign_eddsa(KEY_A_PEM, Some(KEY_A_KID), Some("at+jwt"), &with("nbf", json!(now + 600)))),
            ("issued in the future", jwt::sign_eddsa(KEY_A_PEM, Some(KEY_A_KID), Some("at+jwt"), &with("iat", json!(now + 600)))),
            ("no expiry", jwt::sign_eddsa(KEY_A_PEM, Some(KEY_A_KID), Some("at+jwt"), &with("exp", Value::Null))),
            ("unknown session", jwt::sign_eddsa(KEY_A_PEM, Some(KEY_A_KID), Some("at+jwt"), &with("sid", json!("0190a0a0-0000-7000-8000-000000000000")))),
        ];
        for (flaw, token) in forgeries {
            let response = app.verify(&token).await;
            assert_eq!(response.status, 401, "{flaw}: {}", response.text());
            assert_invalid_token(&response);
        }
    }

    async fn retired_keys_keep_verifying_their_tokens_after_a_rotation(app with [("jwt_private_key", KEY_A_PEM)]) {
        let (_, tokens) = app.logged_in_user().await;
        let old_jwks = app.get("/.well-known/jwks.json").await.text();
        let rotated = app
            .replica(&[("jwt_private_key", KEY_B_PEM.to_owned()), ("jwt_previous_public_keys", old_jwks)])
            .await;
        let client = auth_test_support::client::Client::new(rotated.base_url());
        assert_eq!(client.get("/verify", Some(&tokens.access)).await.status, 200);
        let jwks = client.get("/.well-known/jwks.json", None).await.json();
        let kids: Vec<&str> = jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap()).collect();
        assert_eq!(kids.len(), 2);
        assert_eq!(kids[1], KEY_A_KID, "the new key first, the retired one after it");
    }
}
