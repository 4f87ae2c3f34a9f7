//! The settings table is the one source of truth: `spin.toml` and the README must say the same,
//! and the getters must read nothing else.

use super::Config;
use super::settings::{SETTINGS, Setting};
use super::testing::{MapVariables, config};
use crate::domain::rate_limit::RateLimited;
use std::collections::{BTreeMap, BTreeSet};

const SPIN_TOML: &str = include_str!("../../spin.toml");
const README: &str = include_str!("../../README.md");

fn table() -> BTreeMap<&'static str, Setting> {
    SETTINGS.iter().map(|s| (s.name(), *s)).collect()
}

#[test]
fn the_table_names_each_setting_once() {
    assert_eq!(table().len(), SETTINGS.len());
}

#[test]
fn spin_toml_declares_the_tables_variables_with_its_defaults_and_secrecy() {
    let manifest: toml::Table = toml::from_str(SPIN_TOML).unwrap();
    let declared = manifest["variables"].as_table().unwrap();
    let table = table();
    assert_eq!(
        declared.keys().map(String::as_str).collect::<BTreeSet<_>>(),
        table.keys().copied().collect::<BTreeSet<_>>(),
        "spin.toml's [variables] and the settings table"
    );
    for (name, setting) in table {
        let declaration = declared[name].as_table().unwrap();
        assert_eq!(
            declaration.get("default").and_then(|d| d.as_str()),
            Some(setting.default_value().as_str()),
            "{name}: default"
        );
        assert_eq!(
            declaration.get("secret").and_then(|s| s.as_bool()),
            setting.secret().then_some(true),
            "{name}: secret"
        );
    }
}

/// Calls every getter, so that the variables asked for are every variable the code can read.
fn read_everything(config: &Config<MapVariables>) {
    let _ = config.database();
    let _ = config.issuer();
    let _ = config.audience();
    let _ = config.access_token_ttl();
    let _ = config.refresh_token_ttl();
    let _ = config.refresh_reuse_grace();
    let _ = config.jwt_private_key();
    let _ = config.jwt_previous_public_keys();
    let _ = config.max_sessions_per_user();
    let _ = config.session_cache();
    let _ = config.password_hash_params();
    let _ = config.require_verified_email();
    let _ = config.password_reset_ttl();
    let _ = config.email_verification_ttl();
    let _ = config.account_events_retention();
    let _ = config.mail_relay();
    let _ = config.mail_from();
    let _ = config.password_reset_url();
    let _ = config.email_verification_url();
    let _ = config.email_change_url();
    let _ = config.outbox_max_attempts();
    let _ = config.broker();
    let _ = config.trusted_proxies();
    let _ = config.admin_token();
    let _ = config.service_clients();
    let _ = config.environment();
    for kind in RateLimited::ALL {
        let _ = config.rate_limit(kind);
    }
}

#[test]
fn the_component_is_given_exactly_the_variables_the_code_reads() {
    let config = config(&[]);
    read_everything(&config);
    let asked: BTreeSet<String> = config.vars.asked.borrow().iter().cloned().collect();
    let table = table();
    for name in &asked {
        assert!(
            table.contains_key(name.as_str()),
            "{name} is not in the table"
        );
    }
    let manifest: toml::Table = toml::from_str(SPIN_TOML).unwrap();
    let component = manifest["component"]["auth-service"]["variables"]
        .as_table()
        .unwrap();
    for (name, template) in component {
        assert_eq!(
            template.as_str(),
            Some(format!("{{{{ {name} }}}}").as_str()),
            "{name} passes its application variable through unchanged"
        );
    }
    assert_eq!(
        component.keys().cloned().collect::<BTreeSet<_>>(),
        asked,
        "the component's variables in spin.toml and the variables the code reads"
    );
}

/// `| `name` (secret) | default | description |` rows of the README's "## Configuration" table.
fn readme_rows() -> BTreeMap<String, (String, bool)> {
    let section = README
        .split_once("\n## Configuration\n")
        .map(|(_, rest)| rest)
        .unwrap();
    let section = section.split_once("\n## ").map_or(section, |(s, _)| s);
    section
        .lines()
        .filter_map(|line| {
            let mut cells = line.strip_prefix("| `")?.split(" | ");
            let first = cells.next()?;
            let (name, rest) = first.split_once('`')?;
            let default = cells.next()?;
            let default = match default {
                "empty" => String::new(),
                quoted => quoted.strip_prefix('`')?.strip_suffix('`')?.to_owned(),
            };
            Some((name.to_owned(), (default, rest == " (secret)")))
        })
        .collect()
}

#[test]
fn the_readme_documents_the_tables_settings_and_defaults() {
    let rows = readme_rows();
    let table = table();
    assert_eq!(
        rows.keys().map(String::as_str).collect::<BTreeSet<_>>(),
        table.keys().copied().collect::<BTreeSet<_>>(),
        "the README's configuration table and the settings table"
    );
    for (name, setting) in table {
        let (default, secret) = &rows[name];
        assert_eq!(default, &setting.default_value(), "{name}: default");
        assert_eq!(*secret, setting.secret(), "{name}: (secret)");
    }
}
