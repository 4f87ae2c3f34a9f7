//! `environment = production` refuses to serve with settings only fit for a laptop, and a manifest
//! that does not define a variable the code reads is named, never papered over with a default.

use crate::backend_tests;
use auth_test_support::TestApp;
use auth_test_support::client::Client;
use auth_test_support::jwt::KEY_A_PEM;

const PRODUCTION: (&str, &str) = ("environment", "production");
const LONG_ADMIN_TOKEN: (&str, &str) = ("admin_token", "a-long-random-admin-token-0123456789");

/// Every route answers 503 naming the variable, with one log line per refused request.
async fn refused(app: &TestApp, variable: &str) {
    for path in ["/health", "/.well-known/jwks.json", "/no-such-route"] {
        let problem = app
            .get(path)
            .await
            .assert_problem(503, "unsafe_configuration");
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains(variable), "{detail}");
    }
    app.register("ann@example.com", "ann", "a fine long passphrase")
        .await
        .assert_problem(503, "unsafe_configuration");
    let lines: Vec<_> = app
        .log_lines()
        .into_iter()
        .filter(|l| l["event"] == "unsafe_configuration")
        .collect();
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert!(
        lines
            .iter()
            .all(|l| l["variables"].to_string().contains(variable))
    );
    assert!(
        !app.log_text().contains("test-admin-token"),
        "the secret itself is never logged"
    );
}

backend_tests! {
    async fn production_without_a_signing_key_refuses_to_serve(app with [PRODUCTION, LONG_ADMIN_TOKEN]) {
        refused(&app, "jwt_private_key").await;
    }

    async fn production_with_a_short_admin_token_refuses_to_serve(app with [PRODUCTION, ("jwt_private_key", KEY_A_PEM)]) {
        refused(&app, "admin_token").await;
    }

    async fn production_with_its_secrets_set_serves(app with [PRODUCTION, ("jwt_private_key", KEY_A_PEM), LONG_ADMIN_TOKEN]) {
        assert_eq!(app.get("/health").await.status, 200);
        let user = app.new_user().await;
        assert_eq!(app.login(&user.email, &user.password).await.status, 200);
    }

    async fn a_variable_the_manifest_does_not_define_is_named_not_defaulted(app) {
        let user = app.new_user().await;
        let mut manifest = auth_test_host::component::manifest().unwrap();
        assert!(manifest.component_variables.remove("issuer").is_some());
        let replica = app.replica_with_manifest(manifest, &[]).await;
        let client = Client::new(format!("http://{}", replica.addr));
        let body = serde_json::json!({"email": user.email, "password": user.password});
        let problem = client
            .post_json("/login", &body, None)
            .await
            .assert_problem(500, "misconfigured");
        assert!(problem["detail"].as_str().unwrap().contains("`issuer`"), "{problem}");
        replica.settle().await;
        let lines: Vec<_> = app
            .log_lines()
            .into_iter()
            .filter(|l| l["event"] == "misconfigured")
            .collect();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert_eq!(lines[0]["variable"], "issuer");
        assert!(lines[0]["cause"].as_str().unwrap().contains("not defined"), "{lines:?}");
    }

}
