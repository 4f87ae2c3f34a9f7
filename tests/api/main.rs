//! The API test suite: the real component, served by the native test host, driven over HTTP.
//! Each test runs against SQLite and against PostgreSQL (see `backend_tests!`).
//! The test host (`auth_test_host`) and the fixtures (`auth_test_support`) are crates of the
//! workspace; what is the suite's own (how tests are declared, which run on the host alone) is here.

// A failing assertion should stop the test where it stands; tests read the real clock freely.
#![allow(
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::unreachable
)]

mod backend_tests;
mod host_only;

mod abuse;
mod account;
mod admin_users;
mod audit;
mod client_address;
mod dev_inbox;
mod email_verification;
mod environment;
mod events;
mod existing_databases;
mod foundation;
mod hardening;
mod health;
mod login;
mod logout;
mod meta;
mod oauth;
mod outbox;
mod password_reset;
mod platform;
mod python_client;
mod refresh;
mod register;
mod runtime_config;
mod schemathesis;
mod session_cache;
mod sessions;
mod users;
mod verify;
