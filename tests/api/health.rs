use crate::backend_tests;
use auth_test_support::{Backend, TestApp};

backend_tests! {
    async fn health_answers_ok_after_a_real_query(app) {
        let response = app.get("/health").await;
        assert_eq!(response.status, 200, "{}", response.text());
        assert_eq!(response.json(), serde_json::json!({"status": "ok", "database": "ok"}));
        assert_eq!(response.header("content-type"), Some("application/json"));
        // The query ran against the real database: the schema is there and recorded.
        let versions = app.db_rows("SELECT version FROM schema_migrations ORDER BY version").await;
        assert_eq!(versions.first(), Some(&vec![Some("1".to_owned())]));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_is_503_when_postgresql_is_unreachable() {
    let Some(app) = TestApp::spawn(
        Backend::Sqlite,
        &[
            (
                "database_url",
                "postgres://postgres@127.0.0.1:1/auth?sslmode=disable".to_owned(),
            ),
            ("database_origin", "postgres://127.0.0.1:1".to_owned()),
        ],
    )
    .await
    else {
        return;
    };
    let response = app.get("/health").await;
    let body = response.assert_problem(503, "service_unavailable");
    assert!(body["detail"].as_str().unwrap().contains("unavailable"));
    app.finish().await;
}
