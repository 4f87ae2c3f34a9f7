//! Property tests over everything that reads untrusted input: request bodies, headers, tokens.
//! Each property is the guarantee a client relies on: any input yields an answer, never a panic
//! (a trap in Wasm), and no altered token is ever accepted.

use crate::domain::access_token::{self, Expectations, IssueParams, SessionClaims};
use crate::domain::email::Email;
use crate::domain::ids::{SessionId, UserId};
use crate::domain::keys::SigningKey;
use crate::domain::language;
use crate::domain::opaque_token::OpaqueToken;
use crate::domain::password::{Identity, Password, hash};
use crate::domain::username::Username;
use crate::http::request::{Body, Request};
use crate::http::{bearer, client_addr, json};
use proptest::prelude::*;

const NOW: u64 = 1_800_000_000;

fn request(content_type: &str, body: Vec<u8>, extra: Vec<(String, Vec<u8>)>) -> Request {
    let mut headers = vec![("content-type".to_owned(), content_type.as_bytes().to_vec())];
    headers.extend(extra);
    Request::new(http::Method::POST, "/login", headers, Body::Complete(body))
}

/// JSON-ish text: mostly the characters JSON is made of, so the parser gets deep into its states.
fn jsonish() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just('{'),
            Just('}'),
            Just('['),
            Just(']'),
            Just('"'),
            Just(':'),
            Just(','),
            Just('\\'),
            Just('0'),
            Just('e'),
            Just('-'),
            any::<char>(),
        ],
        0..200,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

fn field_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        ".{0,40}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            proptest::collection::btree_map(".{0,8}", inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

fn issue(key: &SigningKey) -> String {
    let subject = UserId::trusted("0190a0a0-0000-7000-8000-000000000001".into());
    let params = IssueParams {
        issuer: "https://auth.test",
        audience: "chatty",
        subject: &subject,
        jti: "0190a0a0-0000-7000-8000-000000000002",
        now: NOW,
        expires_at: NOW + 900,
    };
    let claims = SessionClaims {
        sid: SessionId::trusted("0190a0a0-0000-7000-8000-000000000003".into()),
        username: "alice".into(),
        email: "alice@example.com".into(),
        email_verified: false,
        is_admin: false,
    };
    access_token::issue(key, &params, claims).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_body_bytes_get_an_answer(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = json::object(&request("application/json", body, Vec::new()));
    }

    #[test]
    fn any_json_like_text_gets_an_answer(text in jsonish()) {
        let _ = json::object(&request("application/json", text.into_bytes(), Vec::new()));
    }

    #[test]
    fn any_field_values_are_read_or_reported(fields in proptest::collection::btree_map(
        prop_oneof![Just("email".to_owned()), Just("password".to_owned()), Just("username".to_owned()), ".{0,6}"],
        field_json(),
        0..5,
    )) {
        let body = serde_json::Value::Object(fields.into_iter().collect()).to_string();
        if let Ok(object) = json::object(&request("application/json", body.into_bytes(), Vec::new())) {
            let mut errors = Vec::new();
            let email = object.required_str("email", &mut errors).map(str::to_owned);
            let username = object.optional_str("username", &mut errors).map(str::to_owned);
            let password = object.required_str("password", &mut errors).map(str::to_owned);
            // Every field is either read or reported, never both, never neither (for required ones).
            prop_assert!(email.is_some() || errors.iter().any(|e| e.field == "email"));
            prop_assert!(password.is_some() || errors.iter().any(|e| e.field == "password"));
            let _ = username.as_deref().map(Username::parse);
            let _ = email.as_deref().map(Email::parse);
            if let Some(password) = password {
                let _ = Password::parse(&password, &Identity { username: username.as_deref(), email_local_part: None });
            }
        }
    }

    #[test]
    fn any_text_is_a_valid_or_refused_identity(text in any::<String>()) {
        let _ = Email::parse(&text);
        let _ = Username::parse(&text);
        let _ = Password::parse(&text, &Identity::default());
        let _ = OpaqueToken::parse(&text);
        let _ = language::negotiate(Some(&text));
        let _ = client_addr::peer_ip(&text);
        let _ = client_addr::parse_proxies(&text);
        let _ = client_addr::client_ip("10.0.0.1".parse().ok(), &[&text], &client_addr::parse_proxies("10.0.0.0/8").unwrap());
        prop_assert!(hash::verify(&Password::for_login("x"), &text).is_err() || text.starts_with("$argon2id$"));
    }

    #[test]
    fn any_header_bytes_are_read_or_refused(value in proptest::collection::vec(any::<u8>(), 0..64)) {
        let r = request("application/json", b"{}".to_vec(), vec![("authorization".to_owned(), value.clone()), ("content-type".to_owned(), value)]);
        let _ = bearer::token(&r);
        let _ = json::object(&r);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn arbitrary_strings_never_verify(token in ".{0,300}") {
        let key = SigningKey::generate();
        let keys = [key.public()];
        let expect = Expectations { keys: &keys, issuer: "https://auth.test", audience: "chatty", now: NOW };
        prop_assert!(access_token::verify(&token, &expect).is_err());
    }

    #[test]
    fn any_altered_token_is_refused(position in any::<prop::sample::Index>(), replacement in any::<u8>()) {
        let key = SigningKey::generate();
        let token = issue(&key);
        let keys = [key.public()];
        let expect = Expectations { keys: &keys, issuer: "https://auth.test", audience: "chatty", now: NOW };
        prop_assert!(access_token::verify(&token, &expect).is_ok());
        let mut bytes = token.clone().into_bytes();
        let i = position.index(bytes.len());
        prop_assume!(bytes[i] != replacement);
        bytes[i] = replacement;
        let altered = String::from_utf8_lossy(&bytes).into_owned();
        // Base64url has spare bits in its last character: a change there can decode to the same bytes.
        // Anything accepted must then be the very same token content.
        if let Ok(verified) = access_token::verify(&altered, &expect) {
            let original = access_token::verify(&token, &expect).unwrap();
            prop_assert_eq!(verified, original);
        }
    }
}
