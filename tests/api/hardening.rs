use crate::backend_tests;
use bytes::Bytes;
use http::HeaderValue;
use http_body_util::Full;
use serde_json::json;

backend_tests! {
    async fn header_values_that_are_not_utf8_are_refused_cleanly(app) {
        let raw = HeaderValue::from_bytes(b"Bearer \xff\xfe").unwrap();
        let request = app.client.request("GET", "/verify").header("authorization", raw).body(Default::default()).unwrap();
        app.client.send(request).await.assert_problem(401, "invalid_token");

        let request = app.client.request("POST", "/register")
            .header("content-type", HeaderValue::from_bytes(b"application/json\xff").unwrap())
            .body(Full::new(Bytes::from("{}")))
            .unwrap();
        app.client.send(request).await.assert_problem(415, "unsupported_media_type");

        let request = app.client.request("POST", "/password-reset")
            .header("content-type", "application/json")
            .header("accept-language", HeaderValue::from_bytes(b"ru\xff").unwrap())
            .header("x-request-id", HeaderValue::from_bytes(b"id\xff").unwrap())
            .body(Full::new(Bytes::from(json!({"email": "a@example.com"}).to_string())))
            .unwrap();
        let response = app.client.send(request).await;
        assert_eq!(response.status, 202);
        assert_eq!(response.header("x-request-id").unwrap().len(), 36);
    }

    async fn unknown_fields_are_ignored(app) {
        let response = app.post_json("/register", &json!({
            "email": "ann@example.com", "username": "ann", "password": "a fine long passphrase",
            "is_admin": true, "email_verified": true, "extra": {"nested": [1, 2, 3]}
        })).await;
        assert_eq!(response.status, 201);
        assert_eq!(response.json()["email_verified"], false);
        let rows = app.db_rows("SELECT is_admin, email_verified FROM users").await;
        assert!(rows[0].iter().all(|v| matches!(v.as_deref(), Some("0") | Some("f"))), "{rows:?}");
    }

    async fn deep_nesting_and_overlong_strings_are_refused(app) {
        let deep = format!("{{\"email\":{}1{}}}", "[".repeat(100), "]".repeat(100));
        app.client.post_raw("/login", Some("application/json"), deep).await.assert_problem(400, "malformed_json");
        let long = json!({"email": "a".repeat(10_000), "password": "x"});
        let problem = app.post_json("/login", &long).await.assert_problem(400, "validation_failed");
        assert_eq!(problem["errors"][0]["code"], "too_long");
    }

    async fn nul_and_other_control_characters_are_refused_in_every_text_field(app) {
        let field_error = |response: auth_test_support::TestResponse| {
            let problem = response.assert_problem(400, "validation_failed");
            let error = &problem["errors"][0];
            (error["field"].as_str().unwrap().to_owned(), error["code"].as_str().unwrap().to_owned())
        };
        let expect = |field: &str| (field.to_owned(), "control_character".to_owned());
        assert_eq!(field_error(app.login("\u{0}@x.io", "some password").await), expect("email"));
        assert_eq!(field_error(app.post_json("/login", &json!({"username": "bob\u{0}", "password": "x"})).await), expect("username"));
        assert_eq!(field_error(app.login("bob@example.com", "pass\u{0}word").await), expect("password"));
        assert_eq!(field_error(app.register("ann@example.com", "ann\u{7}", "a fine long passphrase").await), expect("username"));
        assert_eq!(field_error(app.register("ann@example.com", "ann", "a fine long\u{1b}passphrase").await), expect("password"));
        assert_eq!(field_error(app.post_json("/password-reset", &json!({"email": "ann\u{0}@example.com"})).await), expect("email"));
        assert_eq!(field_error(app.refresh("token\u{0}").await), expect("refresh_token"));
        assert_eq!(field_error(app.post_json("/verify-email", &json!({"token": "\u{85}"})).await), expect("token"));
        // Refused before any database work; the health check creates the schema to look.
        assert_eq!(app.get("/health").await.status, 200);
        assert!(app.db_rows("SELECT id FROM users").await.is_empty());
    }

    async fn a_large_body_without_a_length_is_cut_off_at_64_kib(app) {
        let chunks: Vec<Result<http_body::Frame<Bytes>, std::convert::Infallible>> =
            (0..80).map(|_| Ok(http_body::Frame::data(Bytes::from(vec![b' '; 1024])))).collect();
        let body = http_body_util::StreamBody::new(futures::stream::iter(chunks));
        let request = hyper::Request::builder()
            .method("POST")
            .uri(format!("{}/register", app.client.base))
            .header("content-type", "application/json")
            .body(body)
            .unwrap();
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build(connector);
        let response = client.request(request).await.unwrap();
        assert_eq!(response.status(), 413);
    }
}
