//! Who may call the operator's endpoints: the admin token and the introspection clients.

use super::settings::{ADMIN_TOKEN, SERVICE_CLIENTS};
use super::{Config, ConfigError, Secret, Variables};
use crate::domain::service_client::{self, ServiceClient};

impl<V: Variables> Config<V> {
    pub fn admin_token(&self) -> Result<Option<Secret>, ConfigError> {
        self.secret(&ADMIN_TOKEN)
    }

    /// Clients allowed to call `/oauth/introspect`; empty refuses every one.
    pub fn service_clients(&self) -> Result<Vec<ServiceClient>, ConfigError> {
        let text = self.secret(&SERVICE_CLIENTS)?;
        service_client::parse_list(text.as_ref().map_or("", Secret::expose))
            .map_err(|why| ConfigError::new(SERVICE_CLIENTS.name, why))
    }
}

#[cfg(test)]
mod tests {
    use crate::config::testing::config;

    #[test]
    fn secrets_never_print() {
        let secret = config(&[("admin_token", "s3cr3t-admin")])
            .admin_token()
            .unwrap()
            .unwrap();
        assert_eq!(secret.expose(), "s3cr3t-admin");
        assert!(!format!("{secret:?}").contains("s3cr3t"));
        let err = config(&[("service_clients", "s3cr3t-client")])
            .service_clients()
            .unwrap_err();
        assert!(!err.to_string().contains("s3cr3t"), "{err}");
    }

    #[test]
    fn empty_secrets_are_unset() {
        assert_eq!(config(&[]).admin_token(), Ok(None));
        assert_eq!(config(&[]).service_clients().map(|c| c.len()), Ok(0));
    }
}
