//! Test fixtures: a running app per test (fresh database), a typed HTTP client, capture servers.

pub mod app;
pub mod capture;
pub mod client;
pub mod databases;
pub mod jwt;
pub mod rabbit;

pub use app::{Backend, TestApp};
#[allow(unused_imports)]
pub use client::TestResponse;

/// Declares each test once and runs it against SQLite and against PostgreSQL: test `name` becomes
/// `name::sqlite` and `name::postgres`.
///
/// `async fn name(app) { ... }` gets a fresh app with the default test variables;
/// `async fn name(app with [("var", "value"), ...]) { ... }` sets application variables too.
#[macro_export]
macro_rules! backend_tests {
    ($( $(#[$meta:meta])* async fn $name:ident($app:ident $(with [$($var:expr),* $(,)?])?) $body:block )*) => {
        $(
            #[allow(non_snake_case)]
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                fn variables() -> Vec<(&'static str, String)> {
                    vec![$($( ($var.0, $var.1.to_string()) ),*)?]
                }

                async fn run($app: $crate::support::TestApp) {
                    $body
                    $app.finish().await;
                }

                $(#[$meta])*
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    if let Some(app) = $crate::support::TestApp::spawn($crate::support::Backend::Sqlite, &variables()).await {
                        run(app).await;
                    }
                }

                $(#[$meta])*
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(app) = $crate::support::TestApp::spawn($crate::support::Backend::Postgres, &variables()).await {
                        run(app).await;
                    }
                }
            }
        )*
    };
}
