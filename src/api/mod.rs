//! Endpoints: each parses its input, applies the domain rules, uses the store and shapes the answer.

mod admin;
mod admin_users;
mod audit;
mod auth;
pub mod ctx;
pub mod error;
mod keyring;
mod login;
mod logout;
pub mod messages;
mod meta;
mod oauth;
mod password_reset;
mod register;
mod responses;
pub mod routes;
mod throttle;
mod tokens;
mod users;
mod verify;
mod verify_email;
