//! Accounts: password hashing, verification, one-time links' lifetimes, history retention.

use super::settings::{
    ACCOUNT_EVENTS_RETENTION_DAYS, EMAIL_VERIFICATION_TTL, PASSWORD_HASH_ITERATIONS,
    PASSWORD_HASH_MEMORY_KIB, PASSWORD_HASH_PARALLELISM, PASSWORD_RESET_TTL,
    REQUIRE_VERIFIED_EMAIL,
};
use super::{Config, ConfigError, Variables};
use crate::domain::password::hash::HashParams;

impl<V: Variables> Config<V> {
    pub fn password_hash_params(&self) -> Result<HashParams, ConfigError> {
        let params = HashParams {
            memory_kib: self.u32(&PASSWORD_HASH_MEMORY_KIB)?,
            iterations: self.u32(&PASSWORD_HASH_ITERATIONS)?,
            parallelism: self.u32(&PASSWORD_HASH_PARALLELISM)?,
        };
        if params.memory_kib < 8 * params.parallelism {
            return Err(ConfigError::new(
                PASSWORD_HASH_MEMORY_KIB.name,
                "must be at least 8 KiB per lane of parallelism",
            ));
        }
        Ok(params)
    }

    /// Whether sign-in waits for a verified email address.
    pub fn require_verified_email(&self) -> Result<bool, ConfigError> {
        self.switch(&REQUIRE_VERIFIED_EMAIL, ("true", "false"))
    }

    pub fn password_reset_ttl(&self) -> Result<i64, ConfigError> {
        self.i64(&PASSWORD_RESET_TTL)
    }

    pub fn email_verification_ttl(&self) -> Result<i64, ConfigError> {
        self.i64(&EMAIL_VERIFICATION_TTL)
    }

    /// How long the account's history is kept for its export, in seconds (configured in days).
    pub fn account_events_retention(&self) -> Result<i64, ConfigError> {
        Ok(self
            .i64(&ACCOUNT_EVENTS_RETENTION_DAYS)?
            .saturating_mul(86_400))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::testing::config;

    #[test]
    fn the_hash_defaults_are_the_domains_recommendation() {
        assert_eq!(
            config(&[]).password_hash_params(),
            Ok(HashParams::default())
        );
        assert!(
            config(&[("password_hash_parallelism", "0")])
                .password_hash_params()
                .is_err()
        );
        assert!(
            config(&[
                ("password_hash_memory_kib", "8"),
                ("password_hash_parallelism", "2")
            ])
            .password_hash_params()
            .is_err()
        );
    }

    #[test]
    fn retention_is_configured_in_days() {
        assert_eq!(config(&[]).account_events_retention(), Ok(90 * 86_400));
        assert_eq!(config(&[]).require_verified_email(), Ok(false));
    }
}
