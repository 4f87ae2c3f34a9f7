//! Property-based API fuzzing: Schemathesis generates requests from `/openapi.json` and checks every
//! response against the document. Any 5xx, any non-conforming response or any trap fails the test.

use auth_test_support::{Backend, TestApp};
use std::path::PathBuf;
use std::process::Command;

/// Schemathesis from `SCHEMATHESIS`, the CI virtualenv, or `PATH`.
fn schemathesis() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("SCHEMATHESIS") {
        return Some(PathBuf::from(path));
    }
    let venv = auth_test_host::component::repo_root().join("target/ci-venv/bin/schemathesis");
    if venv.exists() {
        return Some(venv);
    }
    let found = Command::new("schemathesis")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    found.then(|| PathBuf::from("schemathesis"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_requests_never_break_the_contract() {
    let Some(binary) = schemathesis() else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("schemathesis is not installed (.ci/run installs it)");
        }
        eprintln!("skipping: schemathesis is not installed (pip install -r .ci/requirements.txt)");
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite, &[])
        .await
        .expect("sqlite app");
    let (_, tokens) = app.logged_in_user().await;
    let base = app.client.base.clone();
    let report_dir = app.dir.0.join("schemathesis");
    // Schemathesis keeps a run cache in its working directory: the app's temporary one.
    let workdir = app.dir.0.clone();
    let config = auth_test_host::component::repo_root().join(".ci/schemathesis.toml");
    let admin_token = app.variables["admin_token"].clone();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(binary)
            .current_dir(workdir)
            .arg("--no-color")
            .arg("--config-file")
            .arg(config)
            .args(["run", &format!("{base}/openapi.json")])
            .args([
                "--checks",
                "all",
                "--exclude-checks",
                "positive_data_acceptance",
            ])
            .args(["--seed", "20261126", "--workers", "1"])
            .args(["--report", "junit", "--report-dir"])
            .arg(&report_dir)
            .env("AUTH_ACCESS_TOKEN", &tokens.access)
            .env("AUTH_ADMIN_TOKEN", admin_token)
            .output()
            .expect("run schemathesis")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let saved = auth_test_host::component::repo_root().join("target/schemathesis-output.txt");
    let _ = std::fs::write(&saved, format!("{stdout}\n{stderr}"));
    app.server.settle().await;
    let served = app.server.requests_served();
    assert!(
        output.status.success(),
        "schemathesis found problems:\n{stdout}\n{stderr}"
    );
    assert!(
        served >= 1000,
        "only {served} requests were generated:\n{stdout}"
    );
    eprintln!("schemathesis: {served} requests, all conforming");
    app.finish().await;
}
