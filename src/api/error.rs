//! The one place where failures become HTTP answers.

use crate::config::ConfigError;
use crate::http::FieldError;
use crate::http::Response;
use crate::http::form::FormError;
use crate::http::json::{BodyError, SingleFieldError};
use crate::http::problem::Problem;
use crate::log;
use crate::store::DbError;
use serde_json::json;

#[derive(Debug)]
pub enum ApiError {
    Validation(Vec<FieldError>),
    Body(BodyError),
    EmailTaken,
    UsernameTaken,
    InvalidCredentials,
    InvalidGrant,
    RefreshTokenReused,
    /// Missing, malformed, expired, forged or revoked access token.
    InvalidToken,
    /// A password-reset or verification token that is unknown, used or expired.
    InvalidOneTimeToken,
    /// Missing or wrong `admin_token` on an admin endpoint.
    AdminUnauthorized,
    /// Too many requests of one kind from one client address in the current window.
    RateLimited {
        retry_after: i64,
    },
    /// Too many sign-in attempts for this identifier from this client network.
    TooManyAttempts {
        retry_after: i64,
    },
    /// The right password, but the account met its ceiling of failed sign-ins: only a password
    /// reset opens it again.
    AccountLocked,
    /// The right password, but `require_verified_email` is on and the address is not verified.
    EmailNotVerified,
    /// The right password, but an admin disabled the account.
    AccountDisabled,
    /// A valid access token, but its account is not an admin (as of the token).
    AdminRequired,
    /// No such account (or none that may be shown).
    UserNotFound,
    /// The last active admin tried to give up the role.
    LastAdmin,
    /// An OAuth endpoint's service client is unknown or its secret wrong (RFC 6749 section 5.2).
    InvalidClient,
    /// An OAuth endpoint's form lacks a parameter or repeats one (RFC 6749 section 5.2).
    InvalidRequest(String),
    /// An OAuth endpoint's body is not a form.
    FormExpected,
    NotFound,
    /// `DELETE /me/sessions/{id}` for a session that is not the caller's or not live.
    SessionNotFound,
    MethodNotAllowed(String),
    /// A dependency (the database) is down: retry later.
    Unavailable(String),
    Misconfigured(ConfigError),
    /// `environment = production` with settings only fit for development (variable names).
    UnsafeConfiguration(Vec<&'static str>),
    Internal(String),
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Unavailable(_) | DbError::Busy(_) => ApiError::Unavailable(e.to_string()),
            DbError::Query(_) | DbError::Decode(_) => ApiError::Internal(e.to_string()),
        }
    }
}

impl From<ConfigError> for ApiError {
    fn from(e: ConfigError) -> Self {
        ApiError::Misconfigured(e)
    }
}

impl From<SingleFieldError> for ApiError {
    fn from(e: SingleFieldError) -> Self {
        match e {
            SingleFieldError::Body(e) => ApiError::Body(e),
            SingleFieldError::Invalid(errors) => ApiError::Validation(errors),
        }
    }
}

impl From<FormError> for ApiError {
    fn from(e: FormError) -> Self {
        match e {
            FormError::UnsupportedMediaType => ApiError::FormExpected,
            FormError::Body(e) => ApiError::Body(e),
            FormError::Undecodable => ApiError::InvalidRequest(
                "the form has a field that does not decode to UTF-8".to_owned(),
            ),
        }
    }
}

impl From<BodyError> for ApiError {
    fn from(e: BodyError) -> Self {
        ApiError::Body(e)
    }
}

impl ApiError {
    pub fn problem(&self) -> Problem {
        use ApiError as E;
        match self {
            E::Validation(errors) => {
                let mut p = Problem::new(
                    400,
                    "validation_failed",
                    "Invalid request",
                    match errors.len() {
                        1 => "1 field is invalid".to_owned(),
                        n => format!("{n} fields are invalid"),
                    },
                );
                p.errors.clone_from(errors);
                p
            }
            E::Body(BodyError::UnsupportedMediaType) => Problem::new(
                415,
                "unsupported_media_type",
                "Unsupported media type",
                "send the body as application/json",
            ),
            E::Body(BodyError::TooLarge) => Problem::new(
                413,
                "payload_too_large",
                "Payload too large",
                "the body must be at most 64 KiB",
            ),
            E::Body(BodyError::Unreadable) => Problem::new(
                400,
                "unreadable_body",
                "Unreadable body",
                "the body could not be read",
            ),
            E::Body(BodyError::Malformed(why)) => {
                Problem::new(400, "malformed_json", "Malformed JSON", why.clone())
            }
            E::EmailTaken => Problem::new(
                409,
                "email_taken",
                "Email already registered",
                "an account with this email already exists",
            ),
            E::UsernameTaken => Problem::new(
                409,
                "username_taken",
                "Username taken",
                "this username is already taken",
            ),
            E::InvalidCredentials => Problem::new(
                401,
                "invalid_credentials",
                "Invalid credentials",
                "the email, username or password is not correct",
            ),
            E::InvalidGrant => Problem::new(
                401,
                "invalid_grant",
                "Invalid refresh token",
                "the refresh token is unknown, expired or revoked",
            ),
            E::RefreshTokenReused => Problem::new(
                401,
                "refresh_token_reused",
                "Refresh token reused",
                "this refresh token was already used; the session has been revoked, sign in again",
            ),
            E::InvalidToken => Problem::new(
                401,
                "invalid_token",
                "Invalid access token",
                "the access token is missing, malformed, expired or revoked",
            )
            .with_header("www-authenticate", r#"Bearer error="invalid_token""#),
            E::InvalidOneTimeToken => Problem::new(
                400,
                "invalid_token",
                "Invalid or expired link",
                "this link is invalid, was already used or has expired; ask for a new one",
            ),
            E::AdminUnauthorized => Problem::new(
                401,
                "admin_unauthorized",
                "Admin token required",
                "send an admin's access token or the configured admin_token as a Bearer token",
            )
            .with_header("www-authenticate", r#"Bearer realm="admin""#),
            E::RateLimited { retry_after } => Problem::new(
                429,
                "rate_limited",
                "Too many requests",
                format!("too many requests from this address; retry in {retry_after} s"),
            )
            .with_header("retry-after", retry_after.to_string()),
            E::TooManyAttempts { retry_after } => Problem::new(
                429,
                "too_many_attempts",
                "Too many failed sign-ins",
                format!("too many sign-in attempts for this account from this network; retry in {retry_after} s"),
            )
            .with_header("retry-after", retry_after.to_string()),
            E::AccountLocked => Problem::new(
                403,
                "account_locked",
                "Account locked",
                "too many failed sign-ins for this account; reset the password to unlock it",
            ),
            E::EmailNotVerified => Problem::new(
                403,
                "email_not_verified",
                "Email not verified",
                "verify the email address with the link sent to it, then sign in",
            ),
            E::AccountDisabled => Problem::new(
                403,
                "account_disabled",
                "Account disabled",
                "this account has been disabled by an administrator",
            ),
            E::AdminRequired => Problem::new(
                403,
                "admin_required",
                "Admin required",
                "this endpoint is for admins; an account made admin must sign in again first",
            ),
            E::UserNotFound => {
                Problem::new(404, "user_not_found", "User not found", "no such user")
            }
            E::LastAdmin => Problem::new(
                409,
                "last_admin",
                "Last admin",
                "the last admin cannot give up the role; make another account admin first",
            ),
            E::InvalidClient => Problem::new(
                401,
                "invalid_client",
                "Invalid client",
                "authenticate with a configured service client's id and secret (HTTP Basic)",
            )
            .with_header("www-authenticate", r#"Basic realm="oauth""#),
            E::InvalidRequest(why) => {
                Problem::new(400, "invalid_request", "Invalid request", why.clone())
            }
            E::FormExpected => Problem::new(
                415,
                "unsupported_media_type",
                "Unsupported media type",
                "send the body as application/x-www-form-urlencoded",
            ),
            E::NotFound => Problem::new(404, "not_found", "Not found", "no such endpoint"),
            E::SessionNotFound => Problem::new(
                404,
                "not_found",
                "Not found",
                "none of your live sessions has this id",
            ),
            E::MethodNotAllowed(allow) => Problem::new(
                405,
                "method_not_allowed",
                "Method not allowed",
                format!("this endpoint accepts {allow}"),
            )
            .with_header("allow", allow.clone()),
            E::Unavailable(_) => Problem::new(
                503,
                "service_unavailable",
                "Service unavailable",
                "a service this request depends on is unavailable; try again shortly",
            )
            .with_header("retry-after", "5"),
            E::Misconfigured(e) => Problem::new(
                500,
                "misconfigured",
                "Service misconfigured",
                format!("the service is misconfigured: variable `{}`", e.variable),
            ),
            E::UnsafeConfiguration(variables) => Problem::new(
                503,
                "unsafe_configuration",
                "Unsafe configuration",
                format!(
                    "the service refuses to serve in production until these variables are set safely: {}",
                    variables.join(", ")
                ),
            ),
            E::Internal(_) => Problem::new(
                500,
                "internal_error",
                "Internal error",
                "an unexpected error occurred",
            ),
        }
    }

    /// The response, after logging what the client is not told.
    pub fn into_response(self, request_id: &str) -> Response {
        match &self {
            ApiError::Unavailable(cause) | ApiError::Internal(cause) => log::error(
                "request_failed",
                json!({"request_id": request_id, "cause": cause}),
            ),
            ApiError::Misconfigured(e) => log::error(
                "misconfigured",
                json!({"request_id": request_id, "variable": e.variable, "cause": e.to_string()}),
            ),
            ApiError::UnsafeConfiguration(variables) => log::error(
                "unsafe_configuration",
                json!({
                    "request_id": request_id,
                    "variables": variables,
                    "cause": "environment is production: set jwt_private_key, and an admin_token of at least 32 characters or none",
                }),
            ),
            _ => {}
        }
        self.problem().into_response()
    }
}
