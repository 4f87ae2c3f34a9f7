//! Request bodies parsed into what the endpoints act on. Each parse reports every invalid field at
//! once, in the order of the body's fields; a value the domain refuses is placed here on the field
//! it came in, so the domain never knows a field's name.

use super::error::ApiError;
use crate::domain::Invalid;
use crate::domain::email::Email;
use crate::domain::lockout_key::Identifier;
use crate::domain::password::{Identity, Password};
use crate::domain::username::Username;
use crate::http::json::{self, JsonObject};
use crate::http::{FieldError, Request};
use crate::store::users::User;

/// Longer identifiers cannot belong to an account (emails are at most 254 characters, usernames
/// 32): refused before they reach the database.
const MAX_IDENTIFIER_CHARS: usize = 254;

/// `POST /register`: a new account's address, username and password, each within policy.
pub struct Registration {
    pub email: Email,
    pub username: Username,
    pub password: Password,
}

/// `POST /login`: the identifier typed (email or username, in its lookup form) and the password.
pub struct Credentials {
    pub identifier: Identifier,
    pub password: Password,
}

/// `POST /password-reset/confirm`: the mailed token and the new password, which is held to the
/// policy once the token has named the account.
pub struct ResetConfirmation {
    pub token: String,
    pub password: String,
}

/// `POST /me/password`: the password now and the one wanted, held to the policy by `new_password`.
pub struct PasswordChange {
    pub current: String,
    pub new: String,
}

/// `POST /me/email`: the password, and the address wanted.
pub struct EmailChange {
    pub password: String,
    pub new_email: Email,
}

impl Registration {
    pub fn parse(request: &Request) -> Result<Self, ApiError> {
        let body = json::object(request)?;
        let mut errors = Vec::new();
        let email_raw = body.required_str("email", &mut errors);
        let username_raw = body.required_str("username", &mut errors);
        let password_raw = body.required_str("password", &mut errors);
        let email = email_raw.and_then(|raw| on("email", Email::parse(raw), &mut errors));
        let username =
            username_raw.and_then(|raw| on("username", Username::parse(raw), &mut errors));
        let identity = Identity {
            username: username_raw,
            email_local_part: email.as_ref().map(Email::local_part),
        };
        let password = password_raw
            .and_then(|raw| on("password", Password::parse(raw, &identity), &mut errors));
        match (email, username, password) {
            (Some(email), Some(username), Some(password)) if errors.is_empty() => Ok(Self {
                email,
                username,
                password,
            }),
            _ => Err(ApiError::Validation(errors)),
        }
    }
}

impl Credentials {
    /// The policy is not applied: accounts created under an older one can still sign in.
    pub fn parse(request: &Request) -> Result<Self, ApiError> {
        let body = json::object(request)?;
        let mut errors = Vec::new();
        let email_raw = body.optional_str("email", &mut errors);
        let username_raw = body.optional_str("username", &mut errors);
        let password_raw = body.required_str("password", &mut errors);
        for (field, value) in [("email", email_raw), ("username", username_raw)] {
            if value.is_some_and(|v| v.chars().count() > MAX_IDENTIFIER_CHARS) {
                errors.push(FieldError::new(
                    field,
                    "too_long",
                    format!("{field} must be at most {MAX_IDENTIFIER_CHARS} characters"),
                ));
            }
        }
        let identifier = match (email_raw, username_raw) {
            (Some(e), _) => Some(Identifier::email(e)),
            (None, Some(u)) => Some(Identifier::username(u)),
            (None, None) => None,
        };
        if identifier.is_none() && errors.iter().all(|e| e.field == "password") {
            errors.insert(
                0,
                FieldError::new("email", "required", "email or username is required"),
            );
        }
        match (identifier, password_raw) {
            (Some(identifier), Some(password)) if errors.is_empty() => Ok(Self {
                identifier,
                password: Password::for_login(password),
            }),
            _ => Err(ApiError::Validation(errors)),
        }
    }
}

impl ResetConfirmation {
    pub fn parse(request: &Request) -> Result<Self, ApiError> {
        let body = json::object(request)?;
        let (token, password) = two_strings(&body, "token", "password")?;
        Ok(Self { token, password })
    }
}

impl PasswordChange {
    pub fn parse(request: &Request) -> Result<Self, ApiError> {
        let body = json::object(request)?;
        let (current, new) = two_strings(&body, "current_password", "new_password")?;
        Ok(Self { current, new })
    }
}

impl EmailChange {
    pub fn parse(request: &Request) -> Result<Self, ApiError> {
        let body = json::object(request)?;
        let mut errors = Vec::new();
        let password = body.required_str("password", &mut errors);
        let raw = body.required_str("new_email", &mut errors);
        let new_email = raw.and_then(|raw| on("new_email", Email::parse(raw), &mut errors));
        match (password, new_email) {
            (Some(password), Some(new_email)) if errors.is_empty() => Ok(Self {
                password: password.to_owned(),
                new_email,
            }),
            _ => Err(ApiError::Validation(errors)),
        }
    }
}

/// The `email` of an enumeration-safe request (a reset, a resend), checked for shape only.
pub fn requested_email(request: &Request) -> Result<Email, ApiError> {
    let body = json::object(request)?;
    let mut errors = Vec::new();
    let raw = body.required_str("email", &mut errors);
    match raw.and_then(|raw| on("email", Email::parse(raw), &mut errors)) {
        Some(email) if errors.is_empty() => Ok(email),
        _ => Err(ApiError::Validation(errors)),
    }
}

/// `PATCH /me`: the username wanted.
pub fn wanted_username(request: &Request) -> Result<Username, ApiError> {
    let raw = json::single_field(request, "username")?;
    Username::parse(&raw).map_err(|e| refused("username", e))
}

/// A new password for `user`'s account, held to the policy (not built from the account's username
/// or address), refused on `field`.
pub fn new_password(raw: &str, user: &User, field: &'static str) -> Result<Password, ApiError> {
    let address = Email::parse(&user.email).ok();
    let identity = Identity {
        username: Some(&user.username),
        email_local_part: address.as_ref().map(Email::local_part),
    };
    Password::parse(raw, &identity).map_err(|e| refused(field, e))
}

/// The value, or `None` with its refusal recorded on `field`.
fn on<T>(
    field: &'static str,
    parsed: Result<T, Invalid>,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    parsed
        .map_err(|e| errors.push(FieldError::invalid(field, e)))
        .ok()
}

fn refused(field: &'static str, invalid: Invalid) -> ApiError {
    ApiError::Validation(vec![FieldError::invalid(field, invalid)])
}

/// Two required strings, or every field error.
fn two_strings(
    body: &JsonObject,
    first: &'static str,
    second: &'static str,
) -> Result<(String, String), ApiError> {
    let mut errors = Vec::new();
    let a = body.required_str(first, &mut errors);
    let b = body.required_str(second, &mut errors);
    match (a, b) {
        (Some(a), Some(b)) if errors.is_empty() => Ok((a.to_owned(), b.to_owned())),
        _ => Err(ApiError::Validation(errors)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::request::Body;
    use http::Method;

    fn request(body: &str) -> Request {
        Request::new(
            Method::POST,
            "/x",
            vec![("content-type".to_owned(), b"application/json".to_vec())],
            Body::Complete(body.as_bytes().to_vec()),
        )
    }

    /// The field and code of every error, in order.
    fn errors<T>(parsed: Result<T, ApiError>) -> Vec<(&'static str, &'static str)> {
        match parsed {
            Err(ApiError::Validation(errors)) => errors.iter().map(|e| (e.field, e.code)).collect(),
            Err(other) => panic!("expected field errors, got {other:?}"),
            Ok(_) => panic!("expected field errors, got a command"),
        }
    }

    #[test]
    fn a_registration_reports_every_invalid_field_at_once() {
        let body = r#"{"email": "not an address", "username": "x", "password": "short"}"#;
        assert_eq!(
            errors(Registration::parse(&request(body))),
            [
                ("email", "invalid_email"),
                ("username", "invalid_username_length"),
                ("password", "password_too_short"),
            ]
        );
        assert_eq!(
            errors(Registration::parse(&request("{}"))),
            [
                ("email", "required"),
                ("username", "required"),
                ("password", "required"),
            ]
        );
    }

    #[test]
    fn a_registration_password_may_not_be_built_from_the_username() {
        let body = r#"{"email": "kate@example.com", "username": "katherine", "password": "katherine2024!"}"#;
        assert_eq!(
            errors(Registration::parse(&request(body))),
            [("password", "password_contains_username")]
        );
        let good = r#"{"email": "kate@example.com", "username": "kate", "password": "correct horse battery"}"#;
        let Ok(parsed) = Registration::parse(&request(good)) else {
            panic!("a valid registration was refused");
        };
        assert_eq!(parsed.username.as_str(), "kate");
        assert_eq!(parsed.email.normalized(), "kate@example.com");
    }

    #[test]
    fn credentials_take_the_email_first_and_ask_for_one_identifier() {
        let both = r#"{"email": "Kate@Example.com", "username": "kate", "password": "x"}"#;
        assert_eq!(
            Credentials::parse(&request(both))
                .ok()
                .map(|c| c.identifier)
                .unwrap(),
            Identifier::Email("kate@example.com".into())
        );
        let name = r#"{"username": "Kate", "password": "x"}"#;
        assert_eq!(
            Credentials::parse(&request(name))
                .ok()
                .map(|c| c.identifier)
                .unwrap(),
            Identifier::Username("kate".into())
        );
        assert_eq!(
            errors(Credentials::parse(&request("{}"))),
            [("email", "required"), ("password", "required")]
        );
        let long = format!(r#"{{"username": "{}", "password": 1}}"#, "a".repeat(255));
        assert_eq!(
            errors(Credentials::parse(&request(&long))),
            [("password", "invalid_type"), ("username", "too_long")]
        );
    }

    #[test]
    fn an_email_change_places_the_address_refusal_on_new_email() {
        assert_eq!(
            errors(EmailChange::parse(&request(r#"{"new_email": "nope"}"#))),
            [("password", "required"), ("new_email", "invalid_email")]
        );
    }

    #[test]
    fn two_field_bodies_report_both_fields() {
        assert_eq!(
            errors(PasswordChange::parse(&request("{}"))),
            [
                ("current_password", "required"),
                ("new_password", "required")
            ]
        );
        assert_eq!(
            errors(ResetConfirmation::parse(&request(r#"{"token": 5}"#))),
            [("token", "invalid_type"), ("password", "required")]
        );
    }
}
