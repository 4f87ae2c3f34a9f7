//! The foundation: manifest, component world, migrations, outbound restrictions.

use crate::backend_tests;
use auth_test_host::Manifest;
use auth_test_host::component;
use auth_test_support::{Backend, TestApp};
use std::collections::HashMap;

#[test]
fn the_manifest_is_valid_and_declares_every_variable_the_component_reads() {
    let manifest = component::manifest().unwrap();
    assert_eq!(manifest.route, "/...");
    assert_eq!(manifest.sqlite_databases, vec!["default".to_owned()]);
    for (name, template) in &manifest.component_variables {
        assert_eq!(
            template,
            &format!("{{{{ {name} }}}}"),
            "component variable {name} maps to its app variable"
        );
    }
    for secret in [
        "jwt_private_key",
        "mail_relay_token",
        "events_password",
        "admin_token",
        "database_url",
    ] {
        assert!(
            manifest.app_variables[secret].secret,
            "{secret} must be secret"
        );
    }
    // database_origin only feeds allowed_outbound_hosts; every other setting reaches the component.
    for name in manifest
        .app_variables
        .keys()
        .filter(|n| *n != "database_origin")
    {
        assert!(
            manifest.component_variables.contains_key(name),
            "{name} is declared but not given to the component"
        );
    }
}

#[test]
fn a_variable_with_both_default_and_required_is_refused_like_spin_does() {
    let text = std::fs::read_to_string(component::repo_root().join("spin.toml")).unwrap();
    let broken = text.replacen(
        r#"issuer = { default = "http://localhost:3000","#,
        r#"issuer = { required = true, default = "http://localhost:3000","#,
        1,
    );
    assert_ne!(broken, text);
    let err = Manifest::parse(&broken, &component::repo_root()).unwrap_err();
    assert!(
        format!("{err:#}").contains("must be `required` OR have a `default`"),
        "{err:#}"
    );
    let unknown_key = text.replacen(
        "[component.auth-service]\n",
        "[component.auth-service]\nbogus = 1\n",
        1,
    );
    assert!(Manifest::parse(&unknown_key, &component::repo_root()).is_err());
}

#[tokio::test]
async fn a_required_variable_without_a_value_stops_the_app_from_starting() {
    let text = std::fs::read_to_string(component::repo_root().join("spin.toml")).unwrap();
    let required = text.replacen(
        r#"admin_token = { default = "","#,
        r#"admin_token = { required = true,"#,
        1,
    );
    let manifest = Manifest::parse(&required, &component::repo_root()).unwrap();
    let dir = auth_test_support::databases::TempDir::new();
    let config = |variables| auth_test_host::HostConfig {
        manifest: manifest.clone(),
        variables,
        sqlite_path: dir.0.join("db.sqlite"),
        key_value: Default::default(),
        clock: Default::default(),
        log: None,
    };
    let err = auth_test_host::Server::start(config(HashMap::new()))
        .await
        .err()
        .expect("must not start");
    assert!(
        format!("{err:#}").contains("no provider resolved required variable(s): [\"admin_token\"]")
    );
    let given = HashMap::from([("admin_token".to_owned(), "s3cret".to_owned())]);
    assert!(auth_test_host::Server::start(config(given)).await.is_ok());
}

#[test]
fn the_component_imports_only_wasi_and_the_spin_interfaces_of_its_world() {
    let (engine, compiled) = component::compiled().unwrap();
    let world = std::fs::read_to_string(component::repo_root().join("wit/world.wit")).unwrap();
    let spin_imports: Vec<&str> = world
        .lines()
        .filter_map(|l| l.trim().strip_prefix("import ")?.strip_suffix(';'))
        .collect();
    assert_eq!(
        spin_imports.len(),
        4,
        "key-value, SQLite, variables and PostgreSQL"
    );
    let ty = compiled.component_type();
    let imports: Vec<String> = ty
        .imports(engine)
        .map(|(name, _)| name.to_owned())
        .collect();
    for import in &imports {
        assert!(
            import.starts_with("wasi:") || spin_imports.contains(&import.as_str()),
            "unexpected import {import}"
        );
    }
    for wanted in &spin_imports {
        assert!(
            imports.iter().any(|i| i == wanted),
            "{wanted} is in the world but not imported"
        );
    }
    let exports: Vec<String> = ty
        .exports(engine)
        .map(|(name, _)| name.to_owned())
        .collect();
    assert!(
        exports
            .iter()
            .any(|e| e == "wasi:http/incoming-handler@0.2.0"),
        "{exports:?}"
    );
}

backend_tests! {
    async fn migrations_are_recorded_once_and_rerunning_them_changes_nothing(app) {
        assert_eq!(app.get("/health").await.status, 200);
        let replica = app.replica(&[]).await;
        let again = auth_test_support::client::Client::new(replica.base_url());
        assert_eq!(again.get("/health", None).await.status, 200);
        assert_eq!(app.get("/health").await.status, 200);
        let rows = app.db_rows("SELECT version, name FROM schema_migrations ORDER BY version").await;
        let versions: Vec<_> = rows.iter().map(|r| r[0].clone().unwrap()).collect();
        let mut unique = versions.clone();
        unique.dedup();
        assert_eq!(versions, unique, "a migration was recorded twice");
        assert_eq!(versions.first().map(String::as_str), Some("1"));
    }

    async fn instances_starting_at_once_migrate_one_schema_without_errors(app) {
        // A fresh database and twelve instances racing to create the schema.
        let requests = (0..12).map(|_| app.get("/health"));
        let statuses: Vec<u16> = futures::future::join_all(requests).await.into_iter().map(|r| r.status).collect();
        assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}\n{}", app.log_text());
        let rows = app.db_rows("SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations").await;
        assert_eq!(rows[0][0], rows[0][1]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_host_outside_allowed_outbound_hosts_is_refused() {
    let Some(app) = TestApp::spawn(Backend::Postgres, &[]).await else {
        return;
    };
    let denied = app
        .replica(&[("database_origin", "postgres://127.0.0.2:5432".to_owned())])
        .await;
    let client = auth_test_support::client::Client::new(denied.base_url());
    let response = client.get("/health", None).await;
    response.assert_problem(503, "service_unavailable");
    denied.settle().await;
    assert!(
        app.log_text().contains("is not permitted"),
        "the refusal is logged: {}",
        app.log_text()
    );
    app.finish().await;
}
