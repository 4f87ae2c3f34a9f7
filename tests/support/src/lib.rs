//! Test fixtures for the API suite and the benchmark: a running app per test (fresh database) on
//! the test host or on real Spin, a typed HTTP client, capture servers, RabbitMQ, test keys.

pub mod app;
pub mod capture;
pub mod client;
pub mod databases;
pub mod jwt;
pub mod rabbit;
pub mod runtime;
pub mod spin;

pub use app::{Backend, TestApp};
pub use client::TestResponse;
