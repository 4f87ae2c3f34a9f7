//! Helpers shared by the platform API's tests (user lookup, admin users, OAuth).

use auth_test_support::TestApp;
use auth_test_support::app::{TestUser, Tokens};
use auth_test_support::client::TestResponse;
use bytes::Bytes;
use http_body_util::Full;
use serde_json::Value;

/// The account id behind an access token.
pub async fn id_of(app: &TestApp, tokens: &Tokens) -> String {
    let me = app.get_authorized("/me", &tokens.access).await;
    assert_eq!(me.status, 200, "{}", me.text());
    me.json()["id"].as_str().expect("id").to_owned()
}

/// A user made admin in the database, then signed in again so that the token says so.
pub async fn admin_user(app: &TestApp) -> (TestUser, Tokens, String) {
    let (user, tokens) = app.logged_in_user().await;
    let id = id_of(app, &tokens).await;
    app.db_execute(&format!(
        "UPDATE users SET is_admin = TRUE WHERE id = '{id}'"
    ))
    .await;
    let tokens = Tokens::from(&app.login(&user.email, &user.password).await);
    (user, tokens, id)
}

pub fn admin_token(app: &TestApp) -> String {
    app.variables["admin_token"].clone()
}

/// A request with a JSON body and a Bearer token, for any method.
pub async fn send_json(
    app: &TestApp,
    method: &str,
    path: &str,
    body: &Value,
    token: &str,
) -> TestResponse {
    let request = app
        .client
        .request(method, path)
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("request");
    app.client.send(request).await
}

/// A form POST, with HTTP Basic credentials when given.
pub async fn post_form(
    app: &TestApp,
    path: &str,
    basic: Option<(&str, &str)>,
    body: &str,
) -> TestResponse {
    use ct_codecs::{Base64, Encoder};
    let mut builder = app
        .client
        .request("POST", path)
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some((id, secret)) = basic {
        let encoded = Base64::encode_to_string(format!("{id}:{secret}")).expect("base64");
        builder = builder.header("authorization", format!("Basic {encoded}"));
    }
    app.client
        .send(
            builder
                .body(Full::new(Bytes::from(body.to_owned())))
                .expect("request"),
        )
        .await
}

/// Outbox payloads (CloudEvents) of one topic, oldest first.
pub async fn events(app: &TestApp, topic: &str) -> Vec<Value> {
    app.db_rows(&format!(
        "SELECT payload FROM outbox WHERE topic = '{topic}' ORDER BY created_at, id"
    ))
    .await
    .into_iter()
    .map(|row| serde_json::from_str(row[0].as_deref().expect("payload")).expect("event JSON"))
    .collect()
}

/// Audit lines of one event.
pub fn audit_lines(app: &TestApp, event: &str) -> Vec<Value> {
    app.log_lines()
        .into_iter()
        .filter(|l| l["audit"] == true && l["event"] == event)
        .collect()
}
