//! Endpoints: each parses its input, applies the domain rules, uses the store and shapes the answer.

pub mod account;
mod admin;
mod admin_users;
mod audit;
mod auth;
pub mod ctx;
mod email_change;
pub mod error;
mod history;
mod keyring;
mod login;
mod logout;
pub mod messages;
mod meta;
mod my_sessions;
mod oauth;
mod password_reset;
mod reauth;
mod register;
mod responses;
mod revocations;
pub mod routes;
mod throttle;
mod tokens;
mod users;
mod verify;
mod verify_email;
