//! Where the service runs, and what production refuses to serve with.

use super::settings::{ADMIN_TOKEN, ENVIRONMENT, JWT_PRIVATE_KEY};
use super::{Config, ConfigError, Secret, Variables};

/// `development` tolerates settings that only suit a laptop (a signing key generated into the
/// database); `production` refuses to serve with them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

/// The shortest `admin_token` production accepts: 32 characters leave no room for guessing.
pub const MIN_ADMIN_TOKEN_CHARS: usize = 32;

impl<V: Variables> Config<V> {
    pub fn environment(&self) -> Result<Environment, ConfigError> {
        match self.text(&ENVIRONMENT)?.as_str() {
            "" | "development" => Ok(Environment::Development),
            "production" => Ok(Environment::Production),
            _ => Err(ConfigError::new(
                ENVIRONMENT.name,
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
            unsafe_settings.push(JWT_PRIVATE_KEY.name);
        }
        let short = |t: &Secret| t.expose().chars().count() < MIN_ADMIN_TOKEN_CHARS;
        if self.admin_token()?.as_ref().is_some_and(short) {
            unsafe_settings.push(ADMIN_TOKEN.name);
        }
        Ok(unsafe_settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::testing::config;

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
}
