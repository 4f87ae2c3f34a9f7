//! Spin variables turned into typed settings, read lazily: a request reads only the variables it uses,
//! because every request starts a fresh instance and each read is a host call.

use crate::domain::password::hash::HashParams;
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

pub struct Config<V = SpinVariables> {
    vars: V,
}

impl Config<SpinVariables> {
    pub fn spin() -> Self {
        Self {
            vars: SpinVariables,
        }
    }
}

impl<V: Variables> Config<V> {
    pub fn new(vars: V) -> Self {
        Self { vars }
    }

    fn text(&self, name: &str, default: &str) -> Result<String, ConfigError> {
        Ok(self
            .vars
            .get(name)?
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
    fn empty_issuer_is_an_error_not_a_default() {
        assert!(config(&[("issuer", "  ")]).issuer().is_err());
    }
}
