//! Spin variables turned into typed settings, read lazily: a request reads only the variables it uses,
//! because every request starts a fresh instance and each read is a host call.

use crate::domain::password::hash::HashParams;
use crate::domain::service_client::{self, ServiceClient};
use crate::http::client_addr::{Proxy, parse_proxies};
use std::cell::RefCell;
use std::fmt;

/// Where a setting comes from: Spin's variables in the component, a map in unit tests.
pub trait Variables {
    /// `Ok(None)` when the variable is not defined for the component.
    fn get(&self, name: &str) -> Result<Option<String>, ConfigError>;
}

pub struct SpinVariables;

impl Variables for SpinVariables {
    fn get(&self, name: &str) -> Result<Option<String>, ConfigError> {
        match spin_sdk::variables::get(name) {
            Ok(value) => Ok(Some(value)),
            Err(spin_sdk::variables::Error::Undefined(_)) => Ok(None),
            Err(e) => Err(ConfigError::new(name, format!("cannot be read: {e}"))),
        }
    }
}

/// A variable with a value the service cannot use. Names the variable, never echoes a secret's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub variable: String,
    pub problem: String,
}

impl ConfigError {
    fn new(variable: &str, problem: impl Into<String>) -> Self {
        Self {
            variable: variable.to_owned(),
            problem: problem.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "variable `{}` {}", self.variable, self.problem)
    }
}

/// A configured secret; `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// Spin's SQLite database labelled `default`.
    Sqlite,
    /// Spin's PostgreSQL interface at this URL.
    Postgres(Secret),
}

/// `scheme://host[:port]` of an HTTP peer: the form Spin accepts in `allowed_outbound_hosts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub https: bool,
    pub authority: String,
}

impl Origin {
    pub fn parse(text: &str) -> Option<Self> {
        let (scheme, rest) = text.split_once("://")?;
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        let https = match scheme {
            "http" => false,
            "https" => true,
            _ => return None,
        };
        let valid = !authority.is_empty()
            && !authority.contains(['/', '?', '#', '@', ' '])
            && authority.is_ascii();
        valid.then(|| Self {
            https,
            authority: authority.to_owned(),
        })
    }
}

/// Kinds of request limited per client address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateLimited {
    Login,
    Refresh,
    Register,
    PasswordReset,
    VerificationResend,
    /// Signed-in requests that check the password or send mail (`/me/password`, `/me/email`,
    /// `DELETE /me`).
    Account,
}

impl RateLimited {
    pub fn name(self) -> &'static str {
        match self {
            RateLimited::Login => "login",
            RateLimited::Refresh => "refresh",
            RateLimited::Register => "register",
            RateLimited::PasswordReset => "password_reset",
            RateLimited::VerificationResend => "verification_resend",
            RateLimited::Account => "account",
        }
    }

    pub fn window_secs(self) -> i64 {
        match self {
            RateLimited::Login | RateLimited::Refresh => 60,
            _ => 3600,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailFormat {
    /// Mailpit's `POST /api/v1/send` JSON.
    Mailpit,
    /// `{"from","to":[..],"subject","text","html"}`, as Resend-style providers take it.
    Json,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailRelay {
    pub origin: Origin,
    pub path: String,
    pub format: MailFormat,
    pub token: Option<Secret>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broker {
    pub origin: Origin,
    pub username: String,
    pub password: Secret,
    pub vhost: String,
    pub exchange: String,
}

/// Where the service runs: `development` tolerates settings that only suit a laptop (a signing key
/// generated into the database); `production` refuses to serve with them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

/// The shortest `admin_token` production accepts: 32 characters leave no room for guessing.
pub const MIN_ADMIN_TOKEN_CHARS: usize = 32;

pub struct Config<V = SpinVariables> {
    vars: V,
    /// Variables already read by this request: several settings share one (the signing key is
    /// wanted by the production check, the keyring and `/verify`), and each read is a host call.
    read: RefCell<Vec<(String, Option<String>)>>,
}

impl Config<SpinVariables> {
    pub fn spin() -> Self {
        Self::new(SpinVariables)
    }
}

impl<V: Variables> Config<V> {
    pub fn new(vars: V) -> Self {
        Self {
            vars,
            read: RefCell::new(Vec::new()),
        }
    }

    /// A variable, from the host the first time and from memory after that.
    fn var(&self, name: &str) -> Result<Option<String>, ConfigError> {
        if let Some((_, value)) = self.read.borrow().iter().find(|(n, _)| n == name) {
            return Ok(value.clone());
        }
        let value = self.vars.get(name)?;
        self.read
            .borrow_mut()
            .push((name.to_owned(), value.clone()));
        Ok(value)
    }

    fn text(&self, name: &str, default: &str) -> Result<String, ConfigError> {
        Ok(self
            .var(name)?
            .map_or_else(|| default.to_owned(), |v| v.trim().to_owned()))
    }

    fn secret(&self, name: &str) -> Result<Option<Secret>, ConfigError> {
        let value = self.text(name, "")?;
        Ok((!value.is_empty()).then_some(Secret(value)))
    }

    fn number(&self, name: &str, default: u64, min: u64, max: u64) -> Result<u64, ConfigError> {
        let text = self.text(name, "")?;
        if text.is_empty() {
            return Ok(default);
        }
        let value: u64 = text
            .parse()
            .map_err(|_| ConfigError::new(name, format!("must be a whole number, got {text:?}")))?;
        if !(min..=max).contains(&value) {
            return Err(ConfigError::new(
                name,
                format!("must be between {min} and {max}"),
            ));
        }
        Ok(value)
    }

    fn seconds(&self, name: &str, default: u64, min: u64, max: u64) -> Result<i64, ConfigError> {
        self.number(name, default, min, max)
            .map(|v| i64::try_from(v).unwrap_or(i64::MAX))
    }

    pub fn database(&self) -> Result<Database, ConfigError> {
        let url = self.text("database_url", "")?;
        if url.is_empty() {
            Ok(Database::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Database::Postgres(Secret(url)))
        } else {
            Err(ConfigError::new(
                "database_url",
                "must be empty (SQLite) or a postgres:// URL",
            ))
        }
    }

    pub fn issuer(&self) -> Result<String, ConfigError> {
        self.non_empty("issuer", "http://localhost:3000")
    }

    pub fn audience(&self) -> Result<String, ConfigError> {
        self.non_empty("audience", "chatty")
    }

    fn non_empty(&self, name: &str, default: &str) -> Result<String, ConfigError> {
        let value = self.text(name, default)?;
        if value.is_empty() {
            return Err(ConfigError::new(name, "must not be empty"));
        }
        Ok(value)
    }

    pub fn access_token_ttl(&self) -> Result<i64, ConfigError> {
        self.seconds("access_token_ttl_seconds", 900, 1, 86_400)
    }

    pub fn refresh_token_ttl(&self) -> Result<i64, ConfigError> {
        self.seconds("refresh_token_ttl_seconds", 2_592_000, 1, 31_622_400)
    }

    pub fn refresh_reuse_grace(&self) -> Result<i64, ConfigError> {
        self.seconds("refresh_reuse_grace_seconds", 10, 0, 300)
    }

    /// The PEM private key, or `None` for a key generated on first use and kept in the database.
    pub fn jwt_private_key(&self) -> Result<Option<Secret>, ConfigError> {
        self.secret("jwt_private_key")
    }

    /// JWK set (JSON) of retired public keys whose tokens must still verify.
    pub fn jwt_previous_public_keys(&self) -> Result<String, ConfigError> {
        self.text("jwt_previous_public_keys", "")
    }

    pub fn password_hash_params(&self) -> Result<HashParams, ConfigError> {
        let defaults = HashParams::default();
        let params = HashParams {
            memory_kib: self.u32(
                "password_hash_memory_kib",
                defaults.memory_kib,
                8,
                1_048_576,
            )?,
            iterations: self.u32("password_hash_iterations", defaults.iterations, 1, 64)?,
            parallelism: self.u32("password_hash_parallelism", defaults.parallelism, 1, 16)?,
        };
        if params.memory_kib < 8 * params.parallelism {
            return Err(ConfigError::new(
                "password_hash_memory_kib",
                "must be at least 8 KiB per lane of parallelism",
            ));
        }
        Ok(params)
    }

    fn u32(&self, name: &str, default: u32, min: u32, max: u32) -> Result<u32, ConfigError> {
        self.number(name, default.into(), min.into(), max.into())
            .map(|v| u32::try_from(v).unwrap_or(max))
    }

    pub fn admin_token(&self) -> Result<Option<Secret>, ConfigError> {
        self.secret("admin_token")
    }

    /// Clients allowed to call `/oauth/introspect`; empty refuses every one.
    pub fn service_clients(&self) -> Result<Vec<ServiceClient>, ConfigError> {
        let text = self.secret("service_clients")?;
        service_client::parse_list(text.as_ref().map_or("", Secret::expose))
            .map_err(|why| ConfigError::new("service_clients", why))
    }

    pub fn environment(&self) -> Result<Environment, ConfigError> {
        match self.text("environment", "development")?.as_str() {
            "" | "development" => Ok(Environment::Development),
            "production" => Ok(Environment::Production),
            _ => Err(ConfigError::new(
                "environment",
                "must be `development` or `production`",
            )),
        }
    }

    /// Variables whose values are unsafe in production: empty outside production. Names only,
    /// never values. An empty `admin_token` is safe (the admin endpoints refuse every call).
    pub fn unsafe_in_production(&self) -> Result<Vec<&'static str>, ConfigError> {
        if self.environment()? != Environment::Production {
            return Ok(Vec::new());
        }
        let mut unsafe_settings = Vec::new();
        if self.jwt_private_key()?.is_none() {
            unsafe_settings.push("jwt_private_key");
        }
        let short = |t: &Secret| t.expose().chars().count() < MIN_ADMIN_TOKEN_CHARS;
        if self.admin_token()?.as_ref().is_some_and(short) {
            unsafe_settings.push("admin_token");
        }
        Ok(unsafe_settings)
    }

    fn origin(&self, name: &str, default: &str) -> Result<Origin, ConfigError> {
        let text = self.text(name, default)?;
        Origin::parse(&text).ok_or_else(|| {
            ConfigError::new(
                name,
                "must be scheme://host[:port] (http or https, no path)",
            )
        })
    }

    pub fn mail_relay(&self) -> Result<MailRelay, ConfigError> {
        let path = self.text("mail_relay_path", "/api/v1/send")?;
        if !path.starts_with('/') {
            return Err(ConfigError::new("mail_relay_path", "must start with /"));
        }
        let format = match self.text("mail_relay_format", "mailpit")?.as_str() {
            "mailpit" => MailFormat::Mailpit,
            "json" => MailFormat::Json,
            _ => {
                return Err(ConfigError::new(
                    "mail_relay_format",
                    "must be `mailpit` or `json`",
                ));
            }
        };
        Ok(MailRelay {
            origin: self.origin("mail_relay_origin", "http://127.0.0.1:8025")?,
            path,
            format,
            token: self.secret("mail_relay_token")?,
        })
    }

    pub fn mail_from(&self) -> Result<String, ConfigError> {
        self.non_empty("mail_from", "Chatty <no-reply@chatty.localhost>")
    }

    fn link_template(&self, name: &str, default: &str) -> Result<String, ConfigError> {
        let value = self.non_empty(name, default)?;
        if !value.contains("{token}") {
            return Err(ConfigError::new(name, "must contain {token}"));
        }
        Ok(value)
    }

    pub fn password_reset_url(&self) -> Result<String, ConfigError> {
        self.link_template(
            "password_reset_url",
            "http://localhost:3000/reset-password?token={token}",
        )
    }

    pub fn email_verification_url(&self) -> Result<String, ConfigError> {
        self.link_template(
            "email_verification_url",
            "http://localhost:3000/verify-email?token={token}",
        )
    }

    pub fn email_change_url(&self) -> Result<String, ConfigError> {
        self.link_template(
            "email_change_url",
            "http://localhost:3000/confirm-email?token={token}",
        )
    }

    /// How long the account's history is kept for its export, in seconds (configured in days).
    pub fn account_events_retention(&self) -> Result<i64, ConfigError> {
        Ok(self
            .seconds("account_events_retention_days", 90, 1, 3650)?
            .saturating_mul(86_400))
    }

    pub fn password_reset_ttl(&self) -> Result<i64, ConfigError> {
        self.seconds("password_reset_ttl_seconds", 3600, 60, 86_400)
    }

    pub fn email_verification_ttl(&self) -> Result<i64, ConfigError> {
        self.seconds("email_verification_ttl_seconds", 86_400, 60, 2_592_000)
    }

    /// Live sessions one account may hold; a new login ends the oldest beyond this.
    pub fn max_sessions_per_user(&self) -> Result<i64, ConfigError> {
        self.seconds("max_sessions_per_user", 100, 1, 10_000)
    }

    /// Whether `/verify` may take a live session's word from the key-value store. Off for replicas
    /// that do not share one store (each would keep entries the others' revocations never reach).
    pub fn session_cache(&self) -> Result<bool, ConfigError> {
        match self.text("session_cache", "on")?.as_str() {
            "on" => Ok(true),
            "off" => Ok(false),
            _ => Err(ConfigError::new("session_cache", "must be on or off")),
        }
    }

    /// Whether sign-in waits for a verified email address.
    pub fn require_verified_email(&self) -> Result<bool, ConfigError> {
        match self.text("require_verified_email", "false")?.as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(ConfigError::new(
                "require_verified_email",
                "must be true or false",
            )),
        }
    }

    pub fn outbox_max_attempts(&self) -> Result<u32, ConfigError> {
        self.u32("outbox_max_attempts", 10, 1, 100)
    }

    /// Requests per client address per window, for one kind of request.
    pub fn rate_limit(&self, kind: RateLimited) -> Result<i64, ConfigError> {
        let (name, default) = match kind {
            RateLimited::Login => ("rate_limit_login_per_minute", 30),
            RateLimited::Refresh => ("rate_limit_refresh_per_minute", 120),
            RateLimited::Register => ("rate_limit_register_per_hour", 20),
            RateLimited::PasswordReset => ("rate_limit_password_reset_per_hour", 20),
            RateLimited::VerificationResend => ("rate_limit_verification_resend_per_hour", 20),
            RateLimited::Account => ("rate_limit_account_per_hour", 30),
        };
        self.seconds(name, default, 1, 1_000_000)
    }

    /// Proxies whose `X-Forwarded-For` is believed (addresses or CIDR blocks).
    pub fn trusted_proxies(&self) -> Result<Vec<Proxy>, ConfigError> {
        parse_proxies(&self.text("trusted_proxies", "")?)
            .map_err(|e| ConfigError::new("trusted_proxies", e))
    }

    pub fn broker(&self) -> Result<Broker, ConfigError> {
        Ok(Broker {
            origin: self.origin("events_origin", "http://127.0.0.1:15672")?,
            username: self.text("events_username", "guest")?,
            password: Secret(self.text("events_password", "guest")?),
            vhost: self.non_empty("events_vhost", "/")?,
            exchange: self.non_empty("events_exchange", "auth.events")?,
        })
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use std::collections::HashMap;

    pub struct MapVariables(pub HashMap<&'static str, &'static str>);

    impl Variables for MapVariables {
        fn get(&self, name: &str) -> Result<Option<String>, ConfigError> {
            Ok(self.0.get(name).map(|v| (*v).to_owned()))
        }
    }

    fn config(pairs: &[(&'static str, &'static str)]) -> Config<MapVariables> {
        Config::new(MapVariables(pairs.iter().copied().collect()))
    }

    /// Counts host reads, per variable.
    struct CountingVariables(std::cell::RefCell<HashMap<String, usize>>);

    impl Variables for CountingVariables {
        fn get(&self, name: &str) -> Result<Option<String>, ConfigError> {
            *self.0.borrow_mut().entry(name.to_owned()).or_default() += 1;
            Ok((name == "issuer").then(|| "https://auth.test".to_owned()))
        }
    }

    #[test]
    fn each_variable_is_read_from_the_host_once_per_request() {
        let config = Config::new(CountingVariables(Default::default()));
        for _ in 0..3 {
            assert_eq!(config.issuer().unwrap(), "https://auth.test");
            assert!(config.jwt_private_key().unwrap().is_none());
        }
        let reads = config.vars.0.borrow();
        assert_eq!(reads.get("issuer"), Some(&1));
        assert_eq!(reads.get("jwt_private_key"), Some(&1));
    }

    #[test]
    fn defaults_apply_when_variables_are_absent_or_empty() {
        let c = config(&[("access_token_ttl_seconds", "")]);
        assert_eq!(c.database(), Ok(Database::Sqlite));
        assert_eq!(c.issuer().unwrap(), "http://localhost:3000");
        assert_eq!(c.audience().unwrap(), "chatty");
        assert_eq!(c.access_token_ttl(), Ok(900));
        assert_eq!(c.refresh_token_ttl(), Ok(2_592_000));
        assert_eq!(c.refresh_reuse_grace(), Ok(10));
        assert_eq!(c.password_hash_params(), Ok(HashParams::default()));
        assert_eq!(c.jwt_private_key(), Ok(None));
        assert_eq!(c.admin_token(), Ok(None));
    }

    #[test]
    fn a_postgres_url_selects_postgres() {
        let c = config(&[("database_url", " postgres://u@db:5432/auth ")]);
        assert_eq!(
            c.database(),
            Ok(Database::Postgres(Secret(
                "postgres://u@db:5432/auth".into()
            )))
        );
        assert!(config(&[("database_url", "mysql://x")]).database().is_err());
    }

    #[test]
    fn numbers_are_checked_and_the_error_names_the_variable() {
        let err = config(&[("access_token_ttl_seconds", "soon")])
            .access_token_ttl()
            .unwrap_err();
        assert_eq!(err.variable, "access_token_ttl_seconds");
        assert!(
            config(&[("access_token_ttl_seconds", "0")])
                .access_token_ttl()
                .is_err()
        );
        assert_eq!(
            config(&[("refresh_reuse_grace_seconds", "0")]).refresh_reuse_grace(),
            Ok(0)
        );
        assert!(
            config(&[("password_hash_parallelism", "0")])
                .password_hash_params()
                .is_err()
        );
    }

    #[test]
    fn secrets_never_print() {
        let secret = config(&[("admin_token", "s3cr3t-admin")])
            .admin_token()
            .unwrap()
            .unwrap();
        assert_eq!(secret.expose(), "s3cr3t-admin");
        assert!(!format!("{secret:?}").contains("s3cr3t"));
        let db = config(&[("database_url", "postgres://u:hunter2@db/x")])
            .database()
            .unwrap();
        assert!(!format!("{db:?}").contains("hunter2"));
    }

    #[test]
    fn origins_must_be_bare_scheme_host_port() {
        let origin = Origin::parse("http://127.0.0.1:8025").unwrap();
        assert_eq!(
            (origin.https, origin.authority.as_str()),
            (false, "127.0.0.1:8025")
        );
        assert!(Origin::parse("https://mail.example.com/").unwrap().https);
        for bad in [
            "127.0.0.1:8025",
            "ftp://x",
            "http://",
            "http://h/path",
            "http://u:p@h",
            "http://h?x",
        ] {
            assert!(Origin::parse(bad).is_none(), "{bad}");
        }
        assert!(
            config(&[("events_origin", "http://h/api")])
                .broker()
                .is_err()
        );
    }

    #[test]
    fn mail_settings_default_to_a_local_mailpit() {
        let relay = config(&[]).mail_relay().unwrap();
        assert_eq!(relay.format, MailFormat::Mailpit);
        assert_eq!(relay.path, "/api/v1/send");
        assert_eq!(relay.origin.authority, "127.0.0.1:8025");
        assert!(
            config(&[("mail_relay_format", "smtp")])
                .mail_relay()
                .is_err()
        );
        assert!(
            config(&[("password_reset_url", "https://x/reset")])
                .password_reset_url()
                .is_err()
        );
        let broker = config(&[]).broker().unwrap();
        assert_eq!(
            (broker.vhost.as_str(), broker.exchange.as_str()),
            ("/", "auth.events")
        );
    }

    #[test]
    fn production_names_the_settings_it_refuses_to_serve_with() {
        assert_eq!(config(&[]).environment(), Ok(Environment::Development));
        assert_eq!(config(&[]).unsafe_in_production(), Ok(vec![]));
        assert_eq!(
            config(&[("admin_token", "short")]).unsafe_in_production(),
            Ok(vec![])
        );
        let long = "0123456789abcdef0123456789abcdef";
        assert_eq!(
            config(&[("environment", "production"), ("admin_token", "short")])
                .unsafe_in_production(),
            Ok(vec!["jwt_private_key", "admin_token"])
        );
        assert_eq!(
            config(&[("environment", "production"), ("jwt_private_key", "pem")])
                .unsafe_in_production(),
            Ok(vec![])
        );
        assert_eq!(
            config(&[
                ("environment", " production "),
                ("jwt_private_key", "pem"),
                ("admin_token", long)
            ])
            .unsafe_in_production(),
            Ok(vec![])
        );
        let err = config(&[("environment", "prod")])
            .environment()
            .unwrap_err();
        assert_eq!(err.variable, "environment");
    }

    #[test]
    fn empty_issuer_is_an_error_not_a_default() {
        assert!(config(&[("issuer", "  ")]).issuer().is_err());
    }
}
