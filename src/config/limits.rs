//! Per-address limits (the policy is the domain's; the numbers are the deployment's) and the
//! proxies whose word on the client address is believed.

use super::settings::{
    Number, RATE_LIMIT_ACCOUNT, RATE_LIMIT_LOGIN, RATE_LIMIT_PASSWORD_RESET, RATE_LIMIT_REFRESH,
    RATE_LIMIT_REGISTER, RATE_LIMIT_VERIFICATION_RESEND, TRUSTED_PROXIES,
};
use super::{Config, ConfigError, Variables};
use crate::domain::rate_limit::RateLimited;
use crate::http::client_addr::{Proxy, parse_proxies};

/// The variable that sets one kind's limit.
fn setting(kind: RateLimited) -> &'static Number {
    match kind {
        RateLimited::Login => &RATE_LIMIT_LOGIN,
        RateLimited::Refresh => &RATE_LIMIT_REFRESH,
        RateLimited::Register => &RATE_LIMIT_REGISTER,
        RateLimited::PasswordReset => &RATE_LIMIT_PASSWORD_RESET,
        RateLimited::VerificationResend => &RATE_LIMIT_VERIFICATION_RESEND,
        RateLimited::Account => &RATE_LIMIT_ACCOUNT,
    }
}

impl<V: Variables> Config<V> {
    /// Requests per client address per window, for one kind of request.
    pub fn rate_limit(&self, kind: RateLimited) -> Result<i64, ConfigError> {
        self.i64(setting(kind))
    }

    /// Proxies whose `X-Forwarded-For` is believed (addresses or CIDR blocks).
    pub fn trusted_proxies(&self) -> Result<Vec<Proxy>, ConfigError> {
        parse_proxies(&self.text(&TRUSTED_PROXIES)?)
            .map_err(|e| ConfigError::new(TRUSTED_PROXIES.name, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::testing::config;

    #[test]
    fn each_kinds_variable_names_the_domains_window() {
        for kind in RateLimited::ALL {
            let unit = match kind.window_secs() {
                60 => "_per_minute",
                3600 => "_per_hour",
                other => panic!("{kind:?}: a {other} s window has no variable suffix"),
            };
            assert!(setting(kind).name.ends_with(unit), "{kind:?}");
        }
    }

    #[test]
    fn limits_default_to_the_domains_and_read_the_configured_number() {
        for kind in RateLimited::ALL {
            let expected = i64::try_from(kind.default_limit()).unwrap();
            assert_eq!(config(&[]).rate_limit(kind), Ok(expected), "{kind:?}");
        }
        let c = config(&[("rate_limit_login_per_minute", "7")]);
        assert_eq!(c.rate_limit(RateLimited::Login), Ok(7));
        assert!(
            config(&[("rate_limit_account_per_hour", "0")])
                .rate_limit(RateLimited::Account)
                .is_err()
        );
    }
}
