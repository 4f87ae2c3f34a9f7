//! Endpoints: each parses its input, applies the domain rules, uses the store and shapes the answer.

mod auth;
pub mod ctx;
pub mod error;
mod keyring;
mod login;
mod logout;
mod meta;
mod register;
mod responses;
pub mod routes;
mod tokens;
mod verify;
