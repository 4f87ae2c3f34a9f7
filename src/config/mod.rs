//! Spin variables turned into typed settings, read lazily: a request reads only the variables it
//! uses, because every request starts a fresh instance and each read is a host call. What each
//! setting is (name, default, secret, bounds) is data in `settings.rs`; the getters, grouped by
//! concern in the other files, read through it.

mod access;
mod accounts;
mod database;
mod environment;
mod error;
mod events;
mod limits;
mod mail;
mod origin;
mod secret;
mod settings;
#[cfg(test)]
mod sources;
#[cfg(test)]
mod testing;
mod tokens;
mod variables;

pub use database::Database;
pub use error::ConfigError;
pub use events::Broker;
pub use mail::{MailFormat, MailRelay};
pub use origin::Origin;
pub use secret::Secret;
pub use variables::{SpinVariables, Variables};

use settings::{Number, Setting, Text};
use std::cell::RefCell;

pub struct Config<V = SpinVariables> {
    vars: V,
    /// Variables already read by this request: several settings share one (the signing key is
    /// wanted by the production check, the keyring and `/verify`), and each read is a host call.
    read: RefCell<Vec<(&'static str, Option<String>)>>,
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

    /// A variable's trimmed value, from the host the first time and from memory after that. A
    /// variable the manifest does not define is an error, never a silent default: a deployment
    /// whose manifest lacks a setting must hear about it.
    fn var(&self, setting: Setting) -> Result<String, ConfigError> {
        let name = setting.name();
        let known = self
            .read
            .borrow()
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, value)| value.clone());
        let value = match known {
            Some(value) => value,
            None => {
                let value = self.vars.get(name)?;
                self.read.borrow_mut().push((name, value.clone()));
                value
            }
        };
        value
            .map(|v| v.trim().to_owned())
            .ok_or_else(|| ConfigError::undefined(setting))
    }

    fn text(&self, setting: &'static Text) -> Result<String, ConfigError> {
        self.var(Setting::Text(setting))
    }

    /// `None` when empty: secrets are optional, and empty is how a deployment leaves one unset.
    fn secret(&self, setting: &'static Text) -> Result<Option<Secret>, ConfigError> {
        let value = self.text(setting)?;
        Ok((!value.is_empty()).then(|| Secret::new(value)))
    }

    fn non_empty(&self, setting: &'static Text) -> Result<String, ConfigError> {
        let value = self.text(setting)?;
        if value.is_empty() {
            return Err(ConfigError::new(setting.name, "must not be empty"));
        }
        Ok(value)
    }

    /// `on`/`off`, `true`/`false`: whichever pair the setting's documentation uses.
    fn switch(&self, setting: &'static Text, (on, off): (&str, &str)) -> Result<bool, ConfigError> {
        match self.text(setting)? {
            v if v == on => Ok(true),
            v if v == off => Ok(false),
            _ => Err(ConfigError::new(
                setting.name,
                format!("must be {on} or {off}"),
            )),
        }
    }

    fn number(&self, setting: &'static Number) -> Result<u64, ConfigError> {
        let text = self.var(Setting::Number(setting))?;
        if text.is_empty() {
            return Ok(setting.default);
        }
        let value: u64 = text.parse().map_err(|_| {
            ConfigError::new(
                setting.name,
                format!("must be a whole number, got {text:?}"),
            )
        })?;
        if !(setting.min..=setting.max).contains(&value) {
            return Err(ConfigError::new(
                setting.name,
                format!("must be between {} and {}", setting.min, setting.max),
            ));
        }
        Ok(value)
    }

    fn i64(&self, setting: &'static Number) -> Result<i64, ConfigError> {
        self.number(setting)
            .map(|v| i64::try_from(v).unwrap_or(i64::MAX))
    }

    fn u32(&self, setting: &'static Number) -> Result<u32, ConfigError> {
        self.number(setting)
            .map(|v| u32::try_from(v).unwrap_or(u32::MAX))
    }

    fn origin(&self, setting: &'static Text) -> Result<Origin, ConfigError> {
        let text = self.text(setting)?;
        Origin::parse(&text).ok_or_else(|| {
            ConfigError::new(
                setting.name,
                "must be scheme://host[:port] (http or https, no path)",
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{config, config_without};

    #[test]
    fn each_variable_is_read_from_the_host_once_per_request() {
        let config = config(&[("issuer", "https://auth.test")]);
        for _ in 0..3 {
            assert_eq!(config.issuer().unwrap(), "https://auth.test");
            assert!(config.jwt_private_key().unwrap().is_none());
            assert!(config.unsafe_in_production().unwrap().is_empty());
        }
        assert_eq!(
            *config.vars.asked.borrow(),
            ["issuer", "jwt_private_key", "environment"]
        );
    }

    #[test]
    fn a_variable_the_manifest_does_not_define_is_an_error_not_a_default() {
        let err = config_without("access_token_ttl_seconds")
            .access_token_ttl()
            .unwrap_err();
        assert_eq!(err.variable, "access_token_ttl_seconds");
        assert!(err.problem.contains("not defined"), "{err}");
        assert!(
            err.problem
                .contains(r#"`access_token_ttl_seconds = { default = "900" }` under [variables]"#),
            "{err}"
        );
        assert!(
            err.problem
                .contains(r#"`access_token_ttl_seconds = "{{ access_token_ttl_seconds }}"`"#),
            "{err}"
        );
        let err = config_without("admin_token").admin_token().unwrap_err();
        assert!(err.problem.contains("secret = true"), "{err}");
        // Every request checks the environment first: without it, none is served.
        let err = config_without("environment")
            .unsafe_in_production()
            .unwrap_err();
        assert_eq!(err.variable, "environment");
    }
}
