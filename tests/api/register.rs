use crate::backend_tests;
use serde_json::{Value, json};

fn body(email: &str, username: &str, password: &str) -> Value {
    json!({"email": email, "username": username, "password": password})
}

backend_tests! {
    async fn registering_returns_the_new_profile_and_stores_only_a_hash(app) {
        let response = app.register("  Ada.Lovelace@Example.COM ", "ada_l", "analytical engine 1843").await;
        assert_eq!(response.status, 201, "{}", response.text());
        let profile = response.json();
        assert_eq!(profile["email"], "Ada.Lovelace@Example.COM");
        assert_eq!(profile["username"], "ada_l");
        assert_eq!(profile["email_verified"], false);
        let id = profile["id"].as_str().unwrap();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "7", "a UUID version 7: {id}");
        let created = profile["created_at"].as_str().unwrap();
        assert!(created.ends_with('Z') && created.len() == 20, "{created}");
        assert_eq!(profile.as_object().unwrap().len(), 5, "exactly the documented fields: {profile}");

        let rows = app.db_rows(&format!("SELECT password_hash, email_normalized FROM users WHERE id = '{id}'")).await;
        let hash = rows[0][0].clone().unwrap();
        assert!(hash.starts_with("$argon2id$v=19$"), "{hash}");
        assert!(!hash.contains("analytical"));
        assert_eq!(rows[0][1].as_deref(), Some("ada.lovelace@example.com"));
    }

    async fn every_invalid_field_is_listed_at_once(app) {
        let response = app.register("not-an-email", "x", "short").await;
        let problem = response.assert_problem(400, "validation_failed");
        let errors: Vec<(String, String)> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["field"].as_str().unwrap().to_owned(), e["code"].as_str().unwrap().to_owned()))
            .collect();
        assert_eq!(
            errors,
            vec![
                ("email".to_owned(), "invalid_email".to_owned()),
                ("username".to_owned(), "invalid_username_length".to_owned()),
                ("password".to_owned(), "password_too_short".to_owned()),
            ]
        );
        assert!(problem["errors"][0]["message"].is_string());
    }

    async fn each_validation_rule_has_its_own_code(app) {
        let long_name = "n".repeat(33);
        let long_password = "Ж".repeat(257);
        let cases: Vec<(Value, &str, &str)> = vec![
            (body("a@b", "alice", "a long fine passphrase"), "email", "invalid_email"),
            (body("alice@example.com", "al", "a long fine passphrase"), "username", "invalid_username_length"),
            (body("alice@example.com", &long_name, "a long fine passphrase"), "username", "invalid_username_length"),
            (body("alice@example.com", "al ice", "a long fine passphrase"), "username", "invalid_username_characters"),
            (body("alice@example.com", "alice", "seven77"), "password", "password_too_short"),
            (body("alice@example.com", "alice", &long_password), "password", "password_too_long"),
            (body("alice@example.com", "alice", "Password123"), "password", "password_too_common"),
            (body("alice@example.com", "alice", "qwertyuiop"), "password", "password_too_common"),
            (body("bob@example.com", "alice_w", "xx-ALICE_W-2024"), "password", "password_contains_username"),
            (body("wonderland.queen@example.com", "alice", "my wonderland.queen pass"), "password", "password_contains_email"),
            (json!({"email": 42, "username": "alice", "password": "a long fine passphrase"}), "email", "invalid_type"),
            (json!({"username": "alice", "password": "a long fine passphrase"}), "email", "required"),
            (json!({"email": "alice@example.com", "username": null, "password": "a long fine passphrase"}), "username", "required"),
            (json!({"email": "alice@example.com", "username": "alice", "password": ["x"]}), "password", "invalid_type"),
        ];
        for (request, field, code) in cases {
            let problem = app.post_json("/register", &request).await.assert_problem(400, "validation_failed");
            let errors = problem["errors"].as_array().unwrap();
            assert_eq!(errors.len(), 1, "{request}: {problem}");
            assert_eq!(errors[0]["field"], field, "{request}");
            assert_eq!(errors[0]["code"], code, "{request}");
        }
        // Refused before any database work: not even the schema was needed.
        assert_eq!(app.get("/health").await.status, 200);
        assert_eq!(app.db_rows("SELECT COUNT(*) FROM users").await[0][0].as_deref(), Some("0"));
    }

    async fn unicode_passwords_are_counted_in_characters_and_normalised(app) {
        // 8 Cyrillic characters are 16 bytes: long enough.
        let response = app.register("ivan@example.com", "ivan", "жёлтыйкот").await;
        assert_eq!(response.status, 201, "{}", response.text());
        // Full-width letters are NFKC-equal to ASCII ones: either spelling signs in.
        let response = app.register("kenji@example.com", "kenji", "ｓｅｃｒｅｔ－ｔｉｇｅｒ").await;
        assert_eq!(response.status, 201, "{}", response.text());
        assert_eq!(app.login("kenji@example.com", "secret-tiger").await.status, 200);
    }

    async fn a_taken_email_is_a_conflict_whatever_its_case(app) {
        assert_eq!(app.register("grace@example.com", "grace", "cobol compiler pioneer").await.status, 201);
        let response = app.register(" GRACE@Example.com", "grace2", "cobol compiler pioneer").await;
        response.assert_problem(409, "email_taken");
    }

    async fn look_alike_invisible_and_bidirectional_characters_cannot_take_an_address(app) {
        let refused = |response: auth_test_support::TestResponse, field: &str, code: &str| {
            let problem = response.assert_problem(400, "validation_failed");
            assert_eq!((problem["errors"][0]["field"].as_str(), problem["errors"][0]["code"].as_str()), (Some(field), Some(code)), "{problem}");
        };
        // KELVIN SIGN, full-width letters, a zero-width space, a right-to-left override.
        for email in ["\u{212A}ate@example.com", "ｋａｔｅ@example.com", "ka\u{200B}te@example.com", "kate\u{202E}@example.com"] {
            refused(app.register(email, "mallory", "a fine long passphrase").await, "email", "invalid_email");
        }
        for username in ["ka\u{200B}te", "\u{2066}kate", "\u{212A}ate"] {
            refused(app.register("mallory@example.com", username, "a fine long passphrase").await, "username", "invalid_username_characters");
        }
        assert_eq!(app.get("/health").await.status, 200);
        assert_eq!(app.db_rows("SELECT COUNT(*) FROM users").await[0][0].as_deref(), Some("0"));

        // The real Kate registers, and a reset asked for with a look-alike of her address is
        // refused rather than finding (or mailing) anything else.
        assert_eq!(app.register("kate@example.com", "kate", "a fine long passphrase").await.status, 201);
        app.wait_for_mails(1).await;
        refused(app.post_json("/password-reset", &json!({"email": "\u{212A}ate@example.com"})).await, "email", "invalid_email");
        assert_eq!(app.post_json("/password-reset", &json!({"email": "Kate@Example.com"})).await.status, 202);
        let mails = app.wait_for_mails(2).await;
        assert!(mails.iter().all(|m| m.to_string().contains("kate@example.com")), "{mails:?}");
        // Signing in with a look-alike of the address finds Kate's own account, nobody else's.
        assert_eq!(app.login("ｋａｔｅ@example.com", "a fine long passphrase").await.status, 200);
    }

    async fn a_taken_username_is_a_conflict_whatever_its_case(app) {
        assert_eq!(app.register("grace@example.com", "Grace", "cobol compiler pioneer").await.status, 201);
        let response = app.register("other@example.com", "gRACE", "cobol compiler pioneer").await;
        response.assert_problem(409, "username_taken");
    }

    async fn concurrent_registrations_of_one_email_create_exactly_one_account(app) {
        let names: Vec<String> = (0..8).map(|i| format!("racer{i}")).collect();
        let attempts = names
            .iter()
            .map(|name| app.register("race@example.com", name, "photo finish at the line"));
        let statuses: Vec<u16> = futures::future::join_all(attempts).await.iter().map(|r| r.status).collect();
        assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 7, "{statuses:?}");
        assert_eq!(app.db_rows("SELECT COUNT(*) FROM users").await[0][0].as_deref(), Some("1"));
    }

    async fn bodies_that_are_not_json_objects_are_refused_clearly(app) {
        app.client.post_raw("/register", Some("application/json"), "{\"email\": ").await
            .assert_problem(400, "malformed_json");
        app.client.post_raw("/register", Some("application/json"), "[1, 2]").await
            .assert_problem(400, "malformed_json");
        app.client.post_raw("/register", Some("text/plain"), "{}").await
            .assert_problem(415, "unsupported_media_type");
        app.client.post_raw("/register", None, "{}").await
            .assert_problem(415, "unsupported_media_type");
        let big = format!("{{\"email\": \"{}\"}}", "a".repeat(70 * 1024));
        app.client.post_raw("/register", Some("application/json"), big).await
            .assert_problem(413, "payload_too_large");
    }
}
