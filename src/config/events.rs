//! The message broker that domain events are published to.

use super::settings::{
    EVENTS_EXCHANGE, EVENTS_ORIGIN, EVENTS_PASSWORD, EVENTS_USERNAME, EVENTS_VHOST,
};
use super::{Config, ConfigError, Origin, Secret, Variables};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broker {
    pub origin: Origin,
    pub username: String,
    pub password: Secret,
    pub vhost: String,
    pub exchange: String,
}

impl<V: Variables> Config<V> {
    pub fn broker(&self) -> Result<Broker, ConfigError> {
        Ok(Broker {
            origin: self.origin(&EVENTS_ORIGIN)?,
            username: self.text(&EVENTS_USERNAME)?,
            password: Secret::new(self.text(&EVENTS_PASSWORD)?),
            vhost: self.non_empty(&EVENTS_VHOST)?,
            exchange: self.non_empty(&EVENTS_EXCHANGE)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::config::testing::config;

    #[test]
    fn the_broker_defaults_to_a_local_rabbitmq() {
        let broker = config(&[]).broker().unwrap();
        assert_eq!(
            (broker.vhost.as_str(), broker.exchange.as_str()),
            ("/", "auth.events")
        );
        assert!(
            config(&[("events_origin", "http://h/api")])
                .broker()
                .is_err()
        );
    }
}
