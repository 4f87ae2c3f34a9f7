use crate::backend_tests;
use auth_test_support::TestResponse;
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Read;

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

async fn get_openapi(app: &auth_test_support::TestApp, headers: &[(&str, &str)]) -> TestResponse {
    let mut request = app.client.request("GET", "/openapi.json");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    app.client
        .send(request.body(Default::default()).unwrap())
        .await
}

backend_tests! {
    async fn the_openapi_document_comes_gzipped_to_clients_that_take_it_and_revalidates(app) {
        let plain = get_openapi(&app, &[]).await;
        assert_eq!(plain.status, 200);
        assert_eq!(plain.header("content-encoding"), None);
        assert_eq!(plain.header("vary"), Some("accept-encoding"));
        let plain_tag = plain.header("etag").unwrap().to_owned();

        let gzipped = get_openapi(&app, &[("accept-encoding", "br, gzip;q=0.9")]).await;
        assert_eq!(gzipped.status, 200);
        assert_eq!(gzipped.header("content-encoding"), Some("gzip"));
        assert_eq!(gzipped.header("content-type"), Some("application/json"));
        assert_eq!(gzipped.header("vary"), Some("accept-encoding"));
        assert_eq!(gzipped.header("content-length"), Some(gzipped.body.len().to_string().as_str()));
        assert!(gzipped.body.len() * 4 < plain.body.len(), "{} bytes", gzipped.body.len());
        let mut decoded = Vec::new();
        flate2::read::GzDecoder::new(&gzipped.body[..]).read_to_end(&mut decoded).unwrap();
        assert_eq!(decoded, plain.body);
        let gzip_tag = gzipped.header("etag").unwrap().to_owned();
        assert_ne!(gzip_tag, plain_tag, "each coding is a representation of its own");

        // gzip refused by weight: the plain document.
        let refused = get_openapi(&app, &[("accept-encoding", "gzip;q=0, *")]).await;
        assert_eq!(refused.header("content-encoding"), None);
        assert_eq!(refused.body, plain.body);

        // A current copy is not sent again.
        let current = get_openapi(&app, &[("if-none-match", plain_tag.as_str())]).await;
        assert_eq!(current.status, 304);
        assert!(current.body.is_empty());
        assert_eq!(current.header("etag"), Some(plain_tag.as_str()));
        assert_eq!(current.header("cache-control"), Some("public, max-age=3600"));
        assert_eq!(current.header("content-length"), None);
        let current = get_openapi(&app, &[("accept-encoding", "gzip"), ("if-none-match", gzip_tag.as_str())]).await;
        assert_eq!(current.status, 304);
        // A tag of the other coding, or of an older document, is not current.
        assert_eq!(get_openapi(&app, &[("accept-encoding", "gzip"), ("if-none-match", plain_tag.as_str())]).await.status, 200);
        assert_eq!(get_openapi(&app, &[("if-none-match", "\"0000\"")]).await.status, 200);
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
