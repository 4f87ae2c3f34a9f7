//! `backend_tests!`: how every API test is declared.

/// Declares each test once and runs it against SQLite and against PostgreSQL: test `name` becomes
/// `name::sqlite` and `name::postgres` on the test host, and `name::spin_sqlite` and
/// `name::spin_postgres` on every real Spin named by `AUTH_TEST_SPIN` (one after the other, each
/// with a fresh app), unless `host_only.rs` lists it.
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

                async fn run($app: ::auth_test_support::TestApp) {
                    $body
                    $app.finish().await;
                }

                /// One fresh app per Spin CLI named by `AUTH_TEST_SPIN`, none for a host-only test.
                async fn on_each_spin(backend: ::auth_test_support::Backend) {
                    for runtime in $crate::host_only::spin_runtimes(module_path!()) {
                        if let Some(app) = ::auth_test_support::TestApp::spawn_on(runtime, backend, &variables(), true).await {
                            run(app).await;
                        }
                    }
                }

                $(#[$meta])*
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    if let Some(app) = ::auth_test_support::TestApp::spawn(::auth_test_support::Backend::Sqlite, &variables()).await {
                        run(app).await;
                    }
                }

                $(#[$meta])*
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(app) = ::auth_test_support::TestApp::spawn(::auth_test_support::Backend::Postgres, &variables()).await {
                        run(app).await;
                    }
                }

                $(#[$meta])*
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn spin_sqlite() {
                    on_each_spin(::auth_test_support::Backend::Sqlite).await;
                }

                $(#[$meta])*
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn spin_postgres() {
                    on_each_spin(::auth_test_support::Backend::Postgres).await;
                }
            }
        )*
    };
}
