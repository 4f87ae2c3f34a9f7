use crate::backend_tests;
use serde_json::Value;
use std::collections::BTreeSet;

const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

backend_tests! {
    async fn unknown_paths_are_problem_json_404s(app) {
        for path in ["/", "/nope", "/login/", "/register/extra", "/.well-known/other"] {
            let response = app.get(path).await;
            response.assert_problem(404, "not_found");
        }
    }

    async fn wrong_methods_are_405_with_an_allow_header(app) {
        let request = app.client.request("DELETE", "/login").body(Default::default()).unwrap();
        let response = app.client.send(request).await;
        response.assert_problem(405, "method_not_allowed");
        assert_eq!(response.header("allow"), Some("POST"));
        let response = app.get("/register").await;
        response.assert_problem(405, "method_not_allowed");
        assert_eq!(response.header("allow"), Some("POST"));
    }

    async fn the_openapi_document_describes_exactly_the_served_routes(app) {
        let response = app.get("/openapi.json").await;
        assert_eq!(response.status, 200);
        assert_eq!(response.header("content-type"), Some("application/json"));
        let doc: Value = response.json();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
        let paths = doc["paths"].as_object().unwrap();
        for (path, item) in paths {
            let documented: BTreeSet<String> = item
                .as_object()
                .unwrap()
                .keys()
                .filter(|k| METHODS.contains(&k.to_uppercase().as_str()))
                .map(|k| k.to_uppercase())
                .collect();
            assert!(!documented.is_empty(), "{path} documents no operation");
            // The router answers every other method on this path with 405 and names the documented ones.
            let probe = METHODS.iter().find(|m| !documented.contains(**m) && **m != "HEAD").unwrap();
            let request = app.client.request(probe, path).body(Default::default()).unwrap();
            let response = app.client.send(request).await;
            assert_eq!(response.status, 405, "{probe} {path}: {}", response.text());
            let allowed: BTreeSet<String> = response.header("allow").unwrap().split(", ").map(str::to_owned).collect();
            assert_eq!(allowed, documented, "{path}");
        }
    }
}

backend_tests! {
    async fn with_a_configured_key_the_constant_routes_need_no_database(app with [("jwt_private_key", auth_test_support::jwt::KEY_A_PEM)]) {
        let (_replica, cut_off) = crate::session_cache::without_database(&app).await;
        assert_eq!(cut_off.get("/health", None).await.status, 503, "the replica must have no database");
        let jwks = cut_off.get("/.well-known/jwks.json", None).await;
        assert_eq!(jwks.status, 200, "{}", jwks.text());
        assert_eq!(jwks.json()["keys"][0]["kid"], auth_test_support::jwt::KEY_A_KID);
        assert_eq!(cut_off.get("/openapi.json", None).await.status, 200);
    }
}
