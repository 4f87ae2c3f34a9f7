//! `tools/dev-inbox`, the local stand-in for the mail relay and RabbitMQ: a service pointed at it
//! gets its mail and events accepted, and the newcomer sees the reset link printed.

use auth_test_support::{Backend, TestApp};
use serde_json::json;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The tool, running on a free port, its output in a file.
struct DevInbox {
    child: Child,
    output: PathBuf,
    port: u16,
}

impl DevInbox {
    fn start(dir: &Path) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let output = dir.join("dev-inbox.out");
        let tool = auth_test_host::component::repo_root().join("tools/dev-inbox");
        let child = Command::new("python3")
            .arg(tool)
            .args(["--port", &port.to_string(), "--events-port", "0"])
            .stdout(std::fs::File::create(&output).expect("output file"))
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 runs tools/dev-inbox");
        let inbox = Self {
            child,
            output,
            port,
        };
        inbox.wait_for("dev-inbox: mail relay");
        inbox
    }

    fn printed(&self) -> String {
        std::fs::read_to_string(&self.output).unwrap_or_default()
    }

    /// The output once it contains `text`.
    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let printed = self.printed();
            if printed.contains(text) {
                return printed;
            }
            assert!(
                Instant::now() < deadline,
                "dev-inbox never printed {text:?}; it printed:\n{printed}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for DevInbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dev_inbox_prints_the_reset_link_and_the_events() {
    let dir = auth_test_support::databases::TempDir::new();
    let inbox = DevInbox::start(&dir.0);
    let origin = format!("http://127.0.0.1:{}", inbox.port);
    let app = TestApp::spawn(
        Backend::Sqlite,
        &[
            ("mail_relay_origin", origin.clone()),
            ("events_origin", origin),
        ],
    )
    .await
    .expect("sqlite app");
    let user = app.new_user().await;
    let response = app
        .post_json("/password-reset", &json!({"email": user.email}))
        .await;
    assert_eq!(response.status, 202);
    app.server.settle().await;

    let printed = inbox.wait_for("reset-password?token=");
    let link = printed
        .lines()
        .find(|l| l.contains("https://chatty.test/reset-password?token="))
        .expect("the reset link on a line of its own text");
    let token = link.split("token=").nth(1).expect("a token").trim();
    inbox.wait_for("EVENT user.password_reset_requested");
    assert!(
        printed.contains(&format!("To: {}", user.email)),
        "{printed}"
    );
    // Everything was accepted: nothing waits in the outbox.
    let pending = app
        .db_rows("SELECT count(*) FROM outbox WHERE delivered_at IS NULL")
        .await;
    assert_eq!(pending[0][0].as_deref(), Some("0"), "{printed}");
    // The printed link works.
    let confirm = app
        .post_json(
            "/password-reset/confirm",
            &json!({"token": token, "password": "a brand new passphrase"}),
        )
        .await;
    assert_eq!(confirm.status, 200, "{}", confirm.text());
    app.finish().await;
}
