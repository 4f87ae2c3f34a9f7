//! Everything that leaves the service besides HTTP answers: mail to the relay and events to the
//! broker, both through the transactional outbox.

pub mod client;
pub mod delivery;
pub mod events;
pub mod mail;
