//! Every setting the service has, as compile-time data: its variable name, default, whether it is
//! secret, and bounds for numbers. The getters read through these entries; a unit test holds the
//! table equal to `spin.toml`'s `[variables]` and to the README's configuration table.

use crate::domain::rate_limit::RateLimited;

/// A text setting, trimmed when read. Empty is a value: for several settings it means "unset".
#[derive(Debug)]
pub struct Text {
    pub name: &'static str,
    pub default: &'static str,
    /// Its value never appears in an error or a log line.
    pub secret: bool,
}

/// A whole number within `min..=max`; an empty value means the default.
#[derive(Debug)]
pub struct Number {
    pub name: &'static str,
    pub default: u64,
    pub min: u64,
    pub max: u64,
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub enum Setting {
    Text(&'static Text),
    Number(&'static Number),
}

impl Setting {
    pub fn name(self) -> &'static str {
        match self {
            Setting::Text(t) => t.name,
            Setting::Number(n) => n.name,
        }
    }

    pub fn secret(self) -> bool {
        match self {
            Setting::Text(t) => t.secret,
            Setting::Number(_) => false,
        }
    }

    /// The default as `spin.toml` writes it.
    pub fn default_value(self) -> String {
        match self {
            Setting::Text(t) => t.default.to_owned(),
            Setting::Number(n) => n.default.to_string(),
        }
    }
}

const fn text(name: &'static str, default: &'static str) -> Text {
    Text {
        name,
        default,
        secret: false,
    }
}

const fn secret(name: &'static str, default: &'static str) -> Text {
    Text {
        name,
        default,
        secret: true,
    }
}

const fn number(name: &'static str, default: u64, min: u64, max: u64) -> Number {
    Number {
        name,
        default,
        min,
        max,
    }
}

pub static ENVIRONMENT: Text = text("environment", "development");
pub static DATABASE_URL: Text = secret("database_url", "");
/// Read by the manifest alone (`allowed_outbound_hosts`), never by the component.
#[cfg(test)]
pub static DATABASE_ORIGIN: Text = text("database_origin", "postgres://127.0.0.1:5432");
pub static ISSUER: Text = text("issuer", "http://localhost:3000");
pub static AUDIENCE: Text = text("audience", "chatty");
pub static ACCESS_TOKEN_TTL: Number = number("access_token_ttl_seconds", 900, 1, 86_400);
pub static REFRESH_TOKEN_TTL: Number =
    number("refresh_token_ttl_seconds", 2_592_000, 1, 31_622_400);
pub static REFRESH_REUSE_GRACE: Number = number("refresh_reuse_grace_seconds", 10, 0, 300);
pub static JWT_PRIVATE_KEY: Text = secret("jwt_private_key", "");
pub static JWT_PREVIOUS_PUBLIC_KEYS: Text = text("jwt_previous_public_keys", "");
pub static PASSWORD_HASH_MEMORY_KIB: Number =
    number("password_hash_memory_kib", 19_456, 8, 1_048_576);
pub static PASSWORD_HASH_ITERATIONS: Number = number("password_hash_iterations", 2, 1, 64);
pub static PASSWORD_HASH_PARALLELISM: Number = number("password_hash_parallelism", 1, 1, 16);
pub static MAIL_RELAY_ORIGIN: Text = text("mail_relay_origin", "http://127.0.0.1:8025");
pub static MAIL_RELAY_PATH: Text = text("mail_relay_path", "/api/v1/send");
pub static MAIL_RELAY_FORMAT: Text = text("mail_relay_format", "mailpit");
pub static MAIL_RELAY_TOKEN: Text = secret("mail_relay_token", "");
pub static MAIL_FROM: Text = text("mail_from", "Chatty <no-reply@chatty.localhost>");
pub static PASSWORD_RESET_TTL: Number = number("password_reset_ttl_seconds", 3600, 60, 86_400);
pub static EMAIL_VERIFICATION_TTL: Number =
    number("email_verification_ttl_seconds", 86_400, 60, 2_592_000);
pub static OUTBOX_MAX_ATTEMPTS: Number = number("outbox_max_attempts", 10, 1, 100);
pub static PASSWORD_RESET_URL: Text = text(
    "password_reset_url",
    "http://localhost:3000/reset-password?token={token}",
);
pub static EMAIL_VERIFICATION_URL: Text = text(
    "email_verification_url",
    "http://localhost:3000/verify-email?token={token}",
);
pub static EVENTS_ORIGIN: Text = text("events_origin", "http://127.0.0.1:15672");
pub static EVENTS_USERNAME: Text = text("events_username", "guest");
pub static EVENTS_PASSWORD: Text = secret("events_password", "guest");
pub static EVENTS_VHOST: Text = text("events_vhost", "/");
pub static EVENTS_EXCHANGE: Text = text("events_exchange", "auth.events");
pub static RATE_LIMIT_LOGIN: Number = rate_limit("rate_limit_login_per_minute", RateLimited::Login);
pub static RATE_LIMIT_REFRESH: Number =
    rate_limit("rate_limit_refresh_per_minute", RateLimited::Refresh);
pub static SESSION_CACHE: Text = text("session_cache", "on");
pub static MAX_SESSIONS_PER_USER: Number = number("max_sessions_per_user", 100, 1, 10_000);
pub static REQUIRE_VERIFIED_EMAIL: Text = text("require_verified_email", "false");
pub static RATE_LIMIT_REGISTER: Number =
    rate_limit("rate_limit_register_per_hour", RateLimited::Register);
pub static RATE_LIMIT_PASSWORD_RESET: Number = rate_limit(
    "rate_limit_password_reset_per_hour",
    RateLimited::PasswordReset,
);
pub static RATE_LIMIT_VERIFICATION_RESEND: Number = rate_limit(
    "rate_limit_verification_resend_per_hour",
    RateLimited::VerificationResend,
);
pub static RATE_LIMIT_ACCOUNT: Number =
    rate_limit("rate_limit_account_per_hour", RateLimited::Account);
pub static EMAIL_CHANGE_URL: Text = text(
    "email_change_url",
    "http://localhost:3000/confirm-email?token={token}",
);
pub static ACCOUNT_EVENTS_RETENTION_DAYS: Number =
    number("account_events_retention_days", 90, 1, 3650);
pub static TRUSTED_PROXIES: Text = text("trusted_proxies", "");
pub static ADMIN_TOKEN: Text = secret("admin_token", "");
pub static SERVICE_CLIENTS: Text = secret("service_clients", "");

/// A per-address limit: its default is the domain's policy.
const fn rate_limit(name: &'static str, kind: RateLimited) -> Number {
    number(name, kind.default_limit(), 1, 1_000_000)
}

/// The whole table, in `spin.toml`'s order, for the tests that hold it equal to `spin.toml` and the
/// README; the getters name their entries directly, so the component carries no list to search.
#[cfg(test)]
pub static SETTINGS: &[Setting] = &[
    Setting::Text(&ENVIRONMENT),
    Setting::Text(&DATABASE_URL),
    Setting::Text(&DATABASE_ORIGIN),
    Setting::Text(&ISSUER),
    Setting::Text(&AUDIENCE),
    Setting::Number(&ACCESS_TOKEN_TTL),
    Setting::Number(&REFRESH_TOKEN_TTL),
    Setting::Number(&REFRESH_REUSE_GRACE),
    Setting::Text(&JWT_PRIVATE_KEY),
    Setting::Text(&JWT_PREVIOUS_PUBLIC_KEYS),
    Setting::Number(&PASSWORD_HASH_MEMORY_KIB),
    Setting::Number(&PASSWORD_HASH_ITERATIONS),
    Setting::Number(&PASSWORD_HASH_PARALLELISM),
    Setting::Text(&MAIL_RELAY_ORIGIN),
    Setting::Text(&MAIL_RELAY_PATH),
    Setting::Text(&MAIL_RELAY_FORMAT),
    Setting::Text(&MAIL_RELAY_TOKEN),
    Setting::Text(&MAIL_FROM),
    Setting::Number(&PASSWORD_RESET_TTL),
    Setting::Number(&EMAIL_VERIFICATION_TTL),
    Setting::Number(&OUTBOX_MAX_ATTEMPTS),
    Setting::Text(&PASSWORD_RESET_URL),
    Setting::Text(&EMAIL_VERIFICATION_URL),
    Setting::Text(&EVENTS_ORIGIN),
    Setting::Text(&EVENTS_USERNAME),
    Setting::Text(&EVENTS_PASSWORD),
    Setting::Text(&EVENTS_VHOST),
    Setting::Text(&EVENTS_EXCHANGE),
    Setting::Number(&RATE_LIMIT_LOGIN),
    Setting::Number(&RATE_LIMIT_REFRESH),
    Setting::Text(&SESSION_CACHE),
    Setting::Number(&MAX_SESSIONS_PER_USER),
    Setting::Text(&REQUIRE_VERIFIED_EMAIL),
    Setting::Number(&RATE_LIMIT_REGISTER),
    Setting::Number(&RATE_LIMIT_PASSWORD_RESET),
    Setting::Number(&RATE_LIMIT_VERIFICATION_RESEND),
    Setting::Number(&RATE_LIMIT_ACCOUNT),
    Setting::Text(&EMAIL_CHANGE_URL),
    Setting::Number(&ACCOUNT_EVENTS_RETENTION_DAYS),
    Setting::Text(&TRUSTED_PROXIES),
    Setting::Text(&ADMIN_TOKEN),
    Setting::Text(&SERVICE_CLIENTS),
];
