//! Access tokens, refresh tokens and the sessions behind them.

use super::settings::{
    ACCESS_TOKEN_TTL, AUDIENCE, ISSUER, JWT_PREVIOUS_PUBLIC_KEYS, JWT_PRIVATE_KEY,
    MAX_SESSIONS_PER_USER, REFRESH_REUSE_GRACE, REFRESH_TOKEN_TTL, SESSION_CACHE,
};
use super::{Config, ConfigError, Secret, Variables};

impl<V: Variables> Config<V> {
    pub fn issuer(&self) -> Result<String, ConfigError> {
        self.non_empty(&ISSUER)
    }

    pub fn audience(&self) -> Result<String, ConfigError> {
        self.non_empty(&AUDIENCE)
    }

    pub fn access_token_ttl(&self) -> Result<i64, ConfigError> {
        self.i64(&ACCESS_TOKEN_TTL)
    }

    pub fn refresh_token_ttl(&self) -> Result<i64, ConfigError> {
        self.i64(&REFRESH_TOKEN_TTL)
    }

    pub fn refresh_reuse_grace(&self) -> Result<i64, ConfigError> {
        self.i64(&REFRESH_REUSE_GRACE)
    }

    /// The PEM private key, or `None` for a key generated on first use and kept in the database.
    pub fn jwt_private_key(&self) -> Result<Option<Secret>, ConfigError> {
        self.secret(&JWT_PRIVATE_KEY)
    }

    /// JWK set (JSON) of retired public keys whose tokens must still verify.
    pub fn jwt_previous_public_keys(&self) -> Result<String, ConfigError> {
        self.text(&JWT_PREVIOUS_PUBLIC_KEYS)
    }

    /// Live sessions one account may hold; a new login ends the oldest beyond this.
    pub fn max_sessions_per_user(&self) -> Result<i64, ConfigError> {
        self.i64(&MAX_SESSIONS_PER_USER)
    }

    /// Whether `/verify` may take a live session's word from the key-value store. Off for replicas
    /// that do not share one store (each would keep entries the others' revocations never reach).
    pub fn session_cache(&self) -> Result<bool, ConfigError> {
        self.switch(&SESSION_CACHE, ("on", "off"))
    }
}

#[cfg(test)]
mod tests {
    use crate::config::testing::config;

    #[test]
    fn defaults_apply_when_numbers_are_empty() {
        let c = config(&[("access_token_ttl_seconds", "")]);
        assert_eq!(c.issuer().unwrap(), "http://localhost:3000");
        assert_eq!(c.audience().unwrap(), "chatty");
        assert_eq!(c.access_token_ttl(), Ok(900));
        assert_eq!(c.refresh_token_ttl(), Ok(2_592_000));
        assert_eq!(c.refresh_reuse_grace(), Ok(10));
        assert_eq!(c.jwt_private_key(), Ok(None));
        assert_eq!(c.session_cache(), Ok(true));
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
    }

    #[test]
    fn empty_issuer_is_an_error_not_a_default() {
        assert!(config(&[("issuer", "  ")]).issuer().is_err());
    }

    #[test]
    fn the_session_cache_is_on_or_off() {
        assert_eq!(
            config(&[("session_cache", "off")]).session_cache(),
            Ok(false)
        );
        assert!(config(&[("session_cache", "yes")]).session_cache().is_err());
    }
}
