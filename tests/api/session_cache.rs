//! `/verify` takes a live session's word from the key-value store, not the SQL database: a sign-in
//! writes the entry, every way of ending a session removes it (retried through the outbox when the
//! store fails), whatever the store does not know is asked of the database, and entries of expired
//! sessions are purged.

use crate::backend_tests;
use auth_test_support::app::Tokens;
use auth_test_support::client::Client;
use auth_test_support::jwt::{KEY_A_PEM, decode_parts};
use auth_test_support::runtime::{AppServer, Runtime};
use auth_test_support::{Backend, TestApp, spin};
use serde_json::json;
use std::io::{Read, Write};
use std::time::Duration;

/// `/verify` needs no database only with a configured signing key (a generated one lives there).
const KEY: (&str, &str) = ("jwt_private_key", KEY_A_PEM);

fn entry_of(access: &str) -> String {
    format!(
        "session:{}",
        decode_parts(access).1["sid"].as_str().unwrap()
    )
}

/// A replica of `app` whose SQL database is out of reach: a 200 from it came from the token and
/// the key-value store alone.
pub async fn without_database(app: &TestApp) -> (AppServer, Client) {
    let replica = app
        .replica(&[
            (
                "database_url",
                "postgres://nobody@127.0.0.1:9/none".to_owned(),
            ),
            ("database_origin", "postgres://127.0.0.1:9".to_owned()),
        ])
        .await;
    let client = Client::new(replica.base_url());
    (replica, client)
}

/// A live session verifies without the database; logout, logout everywhere and reuse detection
/// each take a session out of the store, so its tokens go to the database, which refuses them.
async fn live_sessions_verify_without_sql_and_ended_ones_do_not(app: &TestApp) {
    let (user, live) = app.logged_in_user().await;
    let logged_out = Tokens::from(&app.login(&user.email, &user.password).await);
    assert_eq!(
        app.post_json("/logout", &json!({"refresh_token": logged_out.refresh}))
            .await
            .status,
        204
    );
    let reused = Tokens::from(&app.login(&user.email, &user.password).await);
    let successor = Tokens::from(&app.refresh(&reused.refresh).await);
    let (_, everywhere) = app.logged_in_user().await;
    assert_eq!(
        app.post_json_authorized("/logout/all", &json!({}), &everywhere.access)
            .await
            .status,
        204
    );

    let (_replica, cut_off) = without_database(app).await;
    assert_eq!(
        cut_off.get("/health", None).await.status,
        503,
        "the replica must have no database"
    );
    assert_eq!(cut_off.get("/verify", Some(&live.access)).await.status, 200);
    assert_eq!(
        cut_off.get("/verify", Some(&successor.access)).await.status,
        200
    );
    for ended in [&logged_out.access, &everywhere.access] {
        // The store no longer vouches for them: without a database there is no yes.
        assert_eq!(cut_off.get("/verify", Some(ended)).await.status, 503);
        app.verify(ended).await.assert_problem(401, "invalid_token");
    }
    // Reuse detection ends the whole session, the successor's tokens included: the rotated token's
    // one replay inside the grace window is honoured, the next is reuse.
    assert_eq!(app.refresh(&reused.refresh).await.status, 200);
    app.refresh(&reused.refresh)
        .await
        .assert_problem(401, "refresh_token_reused");
    assert_eq!(
        cut_off.get("/verify", Some(&successor.access)).await.status,
        503
    );
    app.verify(&successor.access)
        .await
        .assert_problem(401, "invalid_token");
    assert_eq!(cut_off.get("/verify", Some(&live.access)).await.status, 200);
}

/// Redis's answer to `EXISTS key`.
fn redis_has(key: &str) -> bool {
    let mut redis = std::net::TcpStream::connect("127.0.0.1:6379").expect("Redis on 6379");
    let command = format!("*2\r\n$6\r\nEXISTS\r\n${}\r\n{key}\r\n", key.len());
    redis.write_all(command.as_bytes()).unwrap();
    let mut reply = [0u8; 16];
    let n = redis.read(&mut reply).unwrap();
    String::from_utf8_lossy(&reply[..n]).trim() == ":1"
}

backend_tests! {
    async fn live_sessions_verify_without_the_database_and_ended_ones_never_do(app with [KEY]) {
        live_sessions_verify_without_sql_and_ended_ones_do_not(&app).await;
    }

    async fn with_the_cache_off_verify_always_asks_the_database(app with [KEY, ("session_cache", "off")]) {
        let (_, tokens) = app.logged_in_user().await;
        assert_eq!(app.verify(&tokens.access).await.status, 200);
        let (_replica, cut_off) = without_database(&app).await;
        assert_eq!(cut_off.get("/verify", Some(&tokens.access)).await.status, 503);
    }

    async fn sessions_the_store_does_not_know_are_checked_in_the_database(app with [KEY]) {
        // A session from before the cache (or whose entry could not be written) still verifies,
        // and one that ended still does not.
        app.key_value.fail_next_writes(2);
        let (user, unknown) = app.logged_in_user().await;
        let ended = Tokens::from(&app.login(&user.email, &user.password).await);
        assert!(app.key_value.get(&entry_of(&unknown.access)).is_none());
        app.post_json("/logout", &json!({"refresh_token": ended.refresh})).await;
        assert_eq!(app.verify(&unknown.access).await.status, 200);
        app.verify(&ended.access).await.assert_problem(401, "invalid_token");
        assert!(app.log_text().contains("session_cache_write_failed"));
    }

    async fn a_removal_that_fails_is_retried_through_the_outbox(app with [KEY]) {
        app.clock.freeze();
        let (_, tokens) = app.logged_in_user().await;
        let entry = entry_of(&tokens.access);
        assert!(app.key_value.get(&entry).is_some());
        app.key_value.fail_next_writes(1);
        assert_eq!(app.post_json("/logout", &json!({"refresh_token": tokens.refresh})).await.status, 204);
        assert!(app.key_value.get(&entry).is_some(), "the first removal failed");
        let pending = app.db_rows("SELECT state FROM outbox WHERE kind = 'revocation'").await;
        assert_eq!(pending, vec![vec![Some("pending".to_owned())]]);
        // The retry is due after the outbox's backoff; a drain makes it.
        app.clock.advance(Duration::from_secs(120));
        app.drain().await;
        assert!(app.key_value.get(&entry).is_none());
        app.verify(&tokens.access).await.assert_problem(401, "invalid_token");
    }

    async fn with_the_store_unreachable_verify_asks_the_database(app with [KEY]) {
        let (user, live) = app.logged_in_user().await;
        let ended = Tokens::from(&app.login(&user.email, &user.password).await);
        app.key_value.set_down(true);
        assert_eq!(app.post_json("/logout", &json!({"refresh_token": ended.refresh})).await.status, 204);
        app.verify(&ended.access).await.assert_problem(401, "invalid_token");
        assert_eq!(app.verify(&live.access).await.status, 200);
        assert!(app.log_text().contains("session_cache_unreadable"));
        // Back up: the removal reaches the store through the outbox, not lost.
        app.key_value.set_down(false);
        assert!(app.key_value.get(&entry_of(&ended.access)).is_some());
        app.clock.advance(Duration::from_secs(120));
        app.drain().await;
        assert!(app.key_value.get(&entry_of(&ended.access)).is_none());
        assert!(app.key_value.get(&entry_of(&live.access)).is_some());
    }

    async fn entries_of_expired_sessions_are_purged_with_them(app with [KEY, ("refresh_token_ttl_seconds", "100")]) {
        app.clock.freeze();
        let (_, tokens) = app.logged_in_user().await;
        let entry = entry_of(&tokens.access);
        assert_eq!(String::from_utf8(app.key_value.get(&entry).unwrap()).unwrap(), (app.now() + 100).to_string());
        // Kept a day after the session's end, like the session itself.
        app.clock.advance(Duration::from_secs(100 + 86_400));
        assert_eq!(app.drain().await["purged"]["session_cache"], 0);
        app.clock.advance(Duration::from_secs(1));
        let report = app.drain().await;
        assert_eq!(report["purged"]["session_cache"], 1, "{report}");
        assert_eq!(report["purged"]["sessions"], 1, "{report}");
        assert!(app.key_value.get(&entry).is_none());
    }
}

/// The Redis-backed store (`runtime-config.redis.toml`) on each real Spin and both databases.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_as_the_store_live_sessions_verify_without_the_database() {
    for cli in spin::clis() {
        for backend in [Backend::Sqlite, Backend::Postgres] {
            let vars = [(KEY.0, KEY.1.to_owned())];
            let Some(app) = TestApp::spawn_on(Runtime::SpinRedis(cli), backend, &vars, true).await
            else {
                continue;
            };
            live_sessions_verify_without_sql_and_ended_ones_do_not(&app).await;
            let (_, tokens) = app.logged_in_user().await;
            let entry = entry_of(&tokens.access);
            assert!(
                redis_has(&entry),
                "{} ({backend:?}): the session is not in Redis",
                cli.version
            );
            app.post_json("/logout", &json!({"refresh_token": tokens.refresh}))
                .await;
            assert!(
                !redis_has(&entry),
                "{} ({backend:?}): the session stayed in Redis",
                cli.version
            );
            app.finish().await;
        }
    }
}
