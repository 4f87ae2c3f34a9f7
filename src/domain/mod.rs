//! Pure rules of the service: no Spin, no HTTP, no SQL. Time is always a parameter.

pub mod access_token;
pub mod audit_event;
pub mod constant_time;
pub mod delivery;
pub mod email;
pub mod events;
pub mod ids;
mod invalid;
pub mod keys;
pub mod language;
pub mod lockout;
pub mod lockout_key;
pub mod one_time_token;
pub mod opaque_token;
pub mod password;
pub mod rate_limit;
pub mod retention;
pub mod revocation;
pub mod service_client;
pub mod session;
pub mod text;
pub mod time;
pub mod user_agent;
pub mod username;

pub use invalid::Invalid;
