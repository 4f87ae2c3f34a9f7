//! Test fixtures: a running app per test (fresh database), a typed HTTP client, capture servers.

pub mod app;
pub mod capture;
pub mod client;
pub mod databases;

pub use app::{Backend, TestApp};
#[allow(unused_imports)]
pub use client::TestResponse;

/// Declares each test once and runs it against SQLite and against PostgreSQL.
///
/// `async fn name(app) { ... }` gets a fresh app with the default test variables;
/// `async fn name(app with [("var", "value"), ...]) { ... }` sets application variables too.
#[macro_export]
macro_rules! backend_tests {
    ($( $(#[$meta:meta])* async fn $name:ident($app:ident $(with [$($var:expr),* $(,)?])?) $body:block )*) => {
        mod sqlite {
            #[allow(unused_imports)]
            use super::*;
            $(
                $(#[$meta])*
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let vars: Vec<(&str, String)> = vec![$($( ($var.0, $var.1.to_string()) ),*)?];
                    let Some($app) = $crate::support::TestApp::spawn($crate::support::Backend::Sqlite, &vars).await else {
                        return;
                    };
                    $body
                    $app.finish().await;
                }
            )*
        }
        mod postgres {
            #[allow(unused_imports)]
            use super::*;
            $(
                $(#[$meta])*
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let vars: Vec<(&str, String)> = vec![$($( ($var.0, $var.1.to_string()) ),*)?];
                    let Some($app) = $crate::support::TestApp::spawn($crate::support::Backend::Postgres, &vars).await else {
                        return;
                    };
                    $body
                    $app.finish().await;
                }
            )*
        }
    };
}
