use super::platform::{admin_token, events, id_of, post_form};
use crate::backend_tests;
use auth_test_support::app::Tokens;
use serde_json::json;
use std::path::PathBuf;
use std::process::Command;

/// `posts` is configured by the SHA-256 of its secret, `gateway` in clear.
const CLIENTS: &str = "gateway:gw-secret, posts:sha256:f0fe6166b64b8f23761a84ae00e320515ba625d1098471fd555fba7abd8c3e4c";
const GATEWAY: Option<(&str, &str)> = Some(("gateway", "gw-secret"));

backend_tests! {
    async fn introspection_reports_live_access_and_refresh_tokens_as_rfc_7662_shows(app with [("service_clients", CLIENTS)]) {
        let (user, tokens) = app.logged_in_user().await;
        let id = id_of(&app, &tokens).await;
        let response = post_form(&app, "/oauth/introspect", GATEWAY, &format!("token={}&token_type_hint=access_token", tokens.access)).await;
        assert_eq!(response.status, 200, "{}", response.text());
        assert_eq!(response.header("content-type"), Some("application/json"));
        assert_eq!(response.header("cache-control"), Some("no-store"));
        let claims = response.json();
        let keys: Vec<&String> = claims.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["active", "aud", "exp", "iat", "iss", "jti", "nbf", "sid", "sub", "token_type", "username"]);
        assert_eq!(claims["active"], true);
        assert_eq!(claims["sub"], id.as_str());
        assert_eq!(claims["username"], user.username.as_str());
        assert_eq!(claims["iss"], "https://auth.chatty.test");
        assert_eq!(claims["aud"], "chatty");
        assert_eq!(claims["token_type"], "Bearer");
        let (iat, exp) = (claims["iat"].as_i64().unwrap(), claims["exp"].as_i64().unwrap());
        assert!((iat - app.now()).abs() <= 5 && exp > iat && claims["nbf"] == claims["iat"]);
        let verified = app.verify(&tokens.access).await.json();
        assert_eq!(claims["sid"], verified["session_id"]);

        // The refresh token, by the client configured with a hashed secret; a wrong hint is no matter.
        let response = post_form(&app, "/oauth/introspect", Some(("posts", "posts-secret")), &format!("token={}&token_type_hint=access_token", tokens.refresh)).await;
        let claims = response.json();
        let keys: Vec<&String> = claims.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["active", "exp", "iat", "iss", "sid", "sub", "username"], "{claims}");
        assert_eq!(claims["sub"], id.as_str());
        assert_eq!(claims["sid"], verified["session_id"]);

        let audit: Vec<_> = app.log_lines().into_iter().filter(|l| l["event"] == "token_introspected").collect();
        assert_eq!(audit[0]["actor"], "gateway");
        assert_eq!(audit[1]["actor"], "posts");
        assert!(!app.log_text().contains("gw-secret") && !app.log_text().contains("posts-secret"));
    }

    async fn anything_not_live_introspects_as_active_false_only(app with [("service_clients", CLIENTS)]) {
        let (user, tokens) = app.logged_in_user().await;
        let rotated = Tokens::from(&app.refresh(&tokens.refresh).await);
        let inactive = json!({"active": false});
        // A retired refresh token, and garbage of every shape.
        for token in [tokens.refresh.as_str(), "x", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "a.b.c", &"y".repeat(5000)] {
            let response = post_form(&app, "/oauth/introspect", GATEWAY, &format!("token={token}")).await;
            assert_eq!(response.status, 200, "{token}: {}", response.text());
            assert_eq!(response.json(), inactive, "{token}");
        }
        assert_eq!(post_form(&app, "/oauth/introspect", GATEWAY, &format!("token={}", rotated.access)).await.json()["active"], true);
        // Once the session ends, both of its tokens are inactive.
        app.post_json_authorized("/logout/all", &json!({}), &rotated.access).await;
        for token in [&rotated.access, &rotated.refresh] {
            assert_eq!(post_form(&app, "/oauth/introspect", GATEWAY, &format!("token={token}")).await.json(), inactive);
        }
        // A disabled account's tokens are inactive too.
        let again = Tokens::from(&app.login(&user.email, &user.password).await);
        let id = id_of(&app, &again).await;
        app.post_json_authorized(&format!("/admin/users/{id}/disable"), &json!({"reason": "x"}), &admin_token(&app)).await;
        for token in [&again.access, &again.refresh] {
            assert_eq!(post_form(&app, "/oauth/introspect", GATEWAY, &format!("token={token}")).await.json(), inactive);
        }
    }

    async fn introspection_refuses_unknown_clients_with_basic_challenge(app with [("service_clients", CLIENTS)]) {
        let (_, tokens) = app.logged_in_user().await;
        let body = format!("token={}", tokens.access);
        for client in [None, Some(("gateway", "wrong")), Some(("nobody", "gw-secret")), Some(("posts", "f0fe6166b64b8f23761a84ae00e320515ba625d1098471fd555fba7abd8c3e4c")), Some(("gateway", ""))] {
            let response = post_form(&app, "/oauth/introspect", client, &body).await;
            response.assert_problem(401, "invalid_client");
            assert_eq!(response.header("www-authenticate"), Some(r#"Basic realm="oauth""#), "{client:?}");
        }
        // A Bearer token is no client credential.
        let response = app.post_json_authorized("/oauth/introspect", &json!({}), &tokens.access).await;
        response.assert_problem(401, "invalid_client");
        // A known client with a bad request.
        post_form(&app, "/oauth/introspect", GATEWAY, "").await.assert_problem(400, "invalid_request");
        post_form(&app, "/oauth/introspect", GATEWAY, "token=a&token=b").await.assert_problem(400, "invalid_request");
        post_form(&app, "/oauth/introspect", GATEWAY, "token=%FF").await.assert_problem(400, "invalid_request");
        let json_body = app.client.request("POST", "/oauth/introspect")
            .header("content-type", "application/json")
            .header("authorization", "Basic Z2F0ZXdheTpndy1zZWNyZXQ=")
            .body(http_body_util::Full::new(bytes::Bytes::from(format!("{{\"token\":\"{}\"}}", tokens.access))))
            .unwrap();
        app.client.send(json_body).await.assert_problem(415, "unsupported_media_type");
    }

    async fn introspection_refuses_every_client_when_none_is_configured(app) {
        let (_, tokens) = app.logged_in_user().await;
        post_form(&app, "/oauth/introspect", GATEWAY, &format!("token={}", tokens.access)).await.assert_problem(401, "invalid_client");
    }

    async fn revoking_a_refresh_or_access_token_ends_its_session(app) {
        let (user, first) = app.logged_in_user().await;
        let second = Tokens::from(&app.login(&user.email, &user.password).await);
        let id = id_of(&app, &first).await;

        let response = post_form(&app, "/oauth/revoke", None, &format!("token={}&token_type_hint=refresh_token", first.refresh)).await;
        assert_eq!(response.status, 200, "{}", response.text());
        assert!(response.body.is_empty());
        app.verify(&first.access).await.assert_problem(401, "invalid_token");
        app.refresh(&first.refresh).await.assert_problem(401, "invalid_grant");
        assert_eq!(app.verify(&second.access).await.status, 200, "the other session lives on");

        // An access token ends its session too, refresh token included; any client credentials are ignored.
        let response = post_form(&app, "/oauth/revoke", Some(("someone", "else")), &format!("token={}", second.access)).await;
        assert_eq!(response.status, 200, "{}", response.text());
        app.refresh(&second.refresh).await.assert_problem(401, "invalid_grant");

        let revoked = events(&app, "session.revoked").await;
        assert_eq!(revoked.len(), 2);
        assert!(revoked.iter().all(|e| e["data"]["user_id"] == id.as_str() && e["data"]["reason"] == "revoked"));
        let reasons = app.db_rows(&format!("SELECT revoked_reason FROM sessions WHERE user_id = '{id}'")).await;
        assert_eq!(reasons, vec![vec![Some("revoked".to_owned())]; 2]);
        assert_eq!(app.log_lines().into_iter().filter(|l| l["event"] == "token_revoked").count(), 2);
    }

    async fn revocation_answers_200_for_unknown_tokens_and_400_without_one(app) {
        let (_, tokens) = app.logged_in_user().await;
        for token in ["unknown", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "a.b.c", tokens.refresh.as_str(), tokens.refresh.as_str()] {
            let response = post_form(&app, "/oauth/revoke", None, &format!("token={token}&token_type_hint=id_token")).await;
            assert_eq!(response.status, 200, "{token}: {}", response.text());
        }
        post_form(&app, "/oauth/revoke", None, "token_type_hint=refresh_token").await.assert_problem(400, "invalid_request");
        post_form(&app, "/oauth/revoke", None, "token=a&token_type_hint=x&token_type_hint=y").await.assert_problem(400, "invalid_request");
        app.post_json("/oauth/revoke", &json!({"token": "x"})).await.assert_problem(415, "unsupported_media_type");
        // A forged access token naming a live session ends nothing.
        let (_, victim) = app.logged_in_user().await;
        let mut parts: Vec<String> = victim.access.split('.').map(str::to_owned).collect();
        parts[2] = "AAAA".repeat(21) + "AA";
        post_form(&app, "/oauth/revoke", None, &format!("token={}", parts.join("."))).await;
        assert_eq!(app.verify(&victim.access).await.status, 200);
    }

    async fn the_authorization_server_metadata_names_the_endpoints(app) {
        let response = app.get("/.well-known/oauth-authorization-server").await;
        assert_eq!(response.status, 200);
        assert_eq!(response.header("cache-control"), Some("public, max-age=3600"));
        assert_eq!(response.json(), json!({
            "issuer": "https://auth.chatty.test",
            "jwks_uri": "https://auth.chatty.test/.well-known/jwks.json",
            "introspection_endpoint": "https://auth.chatty.test/oauth/introspect",
            "introspection_endpoint_auth_methods_supported": ["client_secret_basic"],
            "revocation_endpoint": "https://auth.chatty.test/oauth/revoke",
            "revocation_endpoint_auth_methods_supported": ["none"],
            "token_endpoint_auth_methods_supported": ["none"],
            "response_types_supported": ["none"],
        }));
    }

    async fn an_oauth_client_library_introspects_and_revokes(app with [("service_clients", CLIENTS)]) {
        let Some(python) = python() else {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("no Python for the OAuth client test: set AUTH_TEST_PYTHON (.ci/run does)");
            }
            eprintln!("skipping: no Python with Authlib (pip install -r .ci/requirements.txt)");
            return;
        };
        let (_, tokens) = app.logged_in_user().await;
        let script = auth_test_host::component::repo_root().join("tests/api/python/oauth_with_authlib.py");
        let env = [
            ("AUTH_BASE_URL", app.client.base.clone()),
            ("AUTH_ISSUER", app.variables["issuer"].clone()),
            ("AUTH_ACCESS_TOKEN", tokens.access.clone()),
            ("AUTH_REFRESH_TOKEN", tokens.refresh.clone()),
            ("AUTH_CLIENT_ID", "gateway".to_owned()),
            ("AUTH_CLIENT_SECRET", "gw-secret".to_owned()),
            // The test service speaks plain HTTP on the loopback interface.
            ("AUTHLIB_INSECURE_TRANSPORT", "1".to_owned()),
        ];
        let output = tokio::task::spawn_blocking(move || {
            Command::new(python).arg(script).envs(env).env("PYTHONDONTWRITEBYTECODE", "1").output().expect("run python")
        })
        .await
        .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "the Authlib checks failed:\n{stdout}\n{stderr}");
        assert!(stdout.contains("authlib: introspection and revocation"), "{stdout}");
        app.verify(&tokens.access).await.assert_problem(401, "invalid_token");
    }
}

/// The interpreter with the pinned tools: `AUTH_TEST_PYTHON`, or the CI virtualenv.
fn python() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("AUTH_TEST_PYTHON") {
        return Some(PathBuf::from(path));
    }
    let venv = auth_test_host::component::repo_root().join("target/ci-venv/bin/python");
    venv.exists().then_some(venv)
}
