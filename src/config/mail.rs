//! Mail: the relay, the sender, the links mails carry, and how often delivery is tried.

use super::settings::{
    EMAIL_CHANGE_URL, EMAIL_VERIFICATION_URL, MAIL_FROM, MAIL_RELAY_FORMAT, MAIL_RELAY_ORIGIN,
    MAIL_RELAY_PATH, MAIL_RELAY_TOKEN, OUTBOX_MAX_ATTEMPTS, PASSWORD_RESET_URL, Text,
};
use super::{Config, ConfigError, Origin, Secret, Variables};

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

impl<V: Variables> Config<V> {
    pub fn mail_relay(&self) -> Result<MailRelay, ConfigError> {
        let path = self.text(&MAIL_RELAY_PATH)?;
        if !path.starts_with('/') {
            return Err(ConfigError::new(MAIL_RELAY_PATH.name, "must start with /"));
        }
        let format = match self.text(&MAIL_RELAY_FORMAT)?.as_str() {
            "mailpit" => MailFormat::Mailpit,
            "json" => MailFormat::Json,
            _ => {
                return Err(ConfigError::new(
                    MAIL_RELAY_FORMAT.name,
                    "must be `mailpit` or `json`",
                ));
            }
        };
        Ok(MailRelay {
            origin: self.origin(&MAIL_RELAY_ORIGIN)?,
            path,
            format,
            token: self.secret(&MAIL_RELAY_TOKEN)?,
        })
    }

    pub fn mail_from(&self) -> Result<String, ConfigError> {
        self.non_empty(&MAIL_FROM)
    }

    pub fn password_reset_url(&self) -> Result<String, ConfigError> {
        self.link_template(&PASSWORD_RESET_URL)
    }

    pub fn email_verification_url(&self) -> Result<String, ConfigError> {
        self.link_template(&EMAIL_VERIFICATION_URL)
    }

    pub fn email_change_url(&self) -> Result<String, ConfigError> {
        self.link_template(&EMAIL_CHANGE_URL)
    }

    fn link_template(&self, setting: &'static Text) -> Result<String, ConfigError> {
        let value = self.non_empty(setting)?;
        if !value.contains("{token}") {
            return Err(ConfigError::new(setting.name, "must contain {token}"));
        }
        Ok(value)
    }

    pub fn outbox_max_attempts(&self) -> Result<u32, ConfigError> {
        self.u32(&OUTBOX_MAX_ATTEMPTS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::testing::config;

    #[test]
    fn mail_settings_default_to_a_local_mailpit() {
        let relay = config(&[]).mail_relay().unwrap();
        assert_eq!(relay.format, MailFormat::Mailpit);
        assert_eq!(relay.path, "/api/v1/send");
        assert_eq!(relay.origin.authority, "127.0.0.1:8025");
        assert_eq!(relay.token, None);
        assert!(
            config(&[("mail_relay_format", "smtp")])
                .mail_relay()
                .is_err()
        );
    }

    #[test]
    fn links_must_carry_the_token() {
        assert!(
            config(&[("password_reset_url", "https://x/reset")])
                .password_reset_url()
                .is_err()
        );
        assert!(config(&[]).email_change_url().unwrap().contains("{token}"));
    }
}
