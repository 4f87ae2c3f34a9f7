//! HTTP plumbing: reading the request, routing, JSON bodies, Bearer tokens, problem+json, writing the
//! response. Knows nothing of accounts or tokens.

pub mod basic;
pub mod bearer;
pub mod caching;
pub mod client_addr;
mod field_error;
pub mod form;
pub mod json;
pub mod problem;
pub mod request;
pub mod response;
pub mod router;
pub mod stream;

pub use field_error::FieldError;
pub use request::Request;
pub use response::Response;
