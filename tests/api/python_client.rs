//! The Python client (`clients/python`) against the real component: its whole pytest suite, unit
//! tests and the integration tests that need the service (key rotation, a revoked session).

use auth_test_support::jwt::{KEY_A_PEM, KEY_B_PEM};
use auth_test_support::{Backend, TestApp};
use std::path::PathBuf;
use std::process::Command;

/// The interpreter with the client's dependencies: `AUTH_TEST_PYTHON`, or the CI virtualenv.
fn python() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("AUTH_TEST_PYTHON") {
        return Some(PathBuf::from(path));
    }
    let venv = auth_test_host::component::repo_root().join("target/ci-venv/bin/python");
    venv.exists().then_some(venv)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_client_verifies_tokens_through_a_rotation_and_sees_revocation() {
    let Some(python) = python() else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("no Python for the client's tests: set AUTH_TEST_PYTHON (.ci/run does)");
        }
        eprintln!("skipping: no Python for the client (pip install -r .ci/requirements.txt)");
        return;
    };
    let app = TestApp::spawn(
        Backend::Sqlite,
        &[("jwt_private_key", KEY_A_PEM.to_owned())],
    )
    .await
    .expect("sqlite app");
    let old_jwks = app.get("/.well-known/jwks.json").await.text();
    let rotated = app
        .replica(&[
            ("jwt_private_key", KEY_B_PEM.to_owned()),
            ("jwt_previous_public_keys", old_jwks),
        ])
        .await;
    let env = [
        ("AUTH_BASE_URL", app.client.base.clone()),
        ("AUTH_ROTATED_BASE_URL", rotated.base_url()),
        ("AUTH_ISSUER", app.variables["issuer"].clone()),
        ("AUTH_AUDIENCE", app.variables["audience"].clone()),
    ];
    let package = auth_test_host::component::repo_root().join("clients/python");
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .current_dir(package)
            .args(["-m", "pytest", "-q", "-rs", "--color=no"])
            .envs(env)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .output()
            .expect("run pytest")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the Python client's tests failed:\n{stdout}\n{stderr}"
    );
    // The integration tests skip themselves without the service's address: none may skip here.
    assert!(
        !stdout.contains("skipped"),
        "some Python tests were skipped:\n{stdout}"
    );
    eprintln!("{}", stdout.lines().last().unwrap_or_default());
    app.finish().await;
}
