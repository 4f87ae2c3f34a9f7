//! Everything that leaves the service besides HTTP answers: mail to the relay, events to the
//! broker and revoked sessions to the key-value cache, all through the transactional outbox.

pub mod client;
pub mod delivery;
pub mod events;
pub mod mail;
