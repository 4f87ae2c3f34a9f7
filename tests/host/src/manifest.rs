//! Reads the real `spin.toml`: a manifest Spin would refuse fails the tests too.

use anyhow::{Context, Result, bail, ensure};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    spin_manifest_version: u32,
    application: toml::Table,
    #[serde(default)]
    variables: BTreeMap<String, RawVariable>,
    trigger: RawTriggers,
    component: BTreeMap<String, RawComponent>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVariable {
    default: Option<String>,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    secret: bool,
    #[allow(
        dead_code,
        reason = "accepted as Spin accepts it; the host does not act on it"
    )]
    description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTriggers {
    http: Vec<RawHttpTrigger>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHttpTrigger {
    route: String,
    component: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawComponent {
    source: String,
    #[allow(
        dead_code,
        reason = "accepted as Spin accepts it; the host does not act on it"
    )]
    description: Option<String>,
    #[serde(default)]
    sqlite_databases: Vec<String>,
    #[serde(default)]
    key_value_stores: Vec<String>,
    #[serde(default)]
    allowed_outbound_hosts: Vec<String>,
    #[serde(default)]
    variables: BTreeMap<String, String>,
    build: Option<RawBuild>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBuild {
    command: String,
    #[allow(
        dead_code,
        reason = "accepted as Spin accepts it; the host does not act on it"
    )]
    #[serde(default)]
    watch: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct AppVariable {
    /// `None` for a `required` variable.
    pub default: Option<String>,
    pub secret: bool,
}

/// The parts of the manifest the host acts on, for the one HTTP component.
#[derive(Debug, Clone)]
pub struct Manifest {
    pub dir: PathBuf,
    pub route: String,
    pub component_id: String,
    pub source: PathBuf,
    pub build_command: Option<String>,
    pub sqlite_databases: Vec<String>,
    pub key_value_stores: Vec<String>,
    pub allowed_outbound_hosts: Vec<String>,
    pub app_variables: BTreeMap<String, AppVariable>,
    pub component_variables: BTreeMap<String, String>,
}

impl Manifest {
    pub fn load(path: &Path) -> Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Self::parse(&text, path.parent().unwrap_or(Path::new(".")))
    }

    pub fn parse(text: &str, dir: &Path) -> Result<Self> {
        let raw: Raw =
            toml::from_str(text).context("spin.toml does not match manifest version 2")?;
        ensure!(
            raw.spin_manifest_version == 2,
            "spin_manifest_version must be 2"
        );
        ensure!(
            raw.application.contains_key("name"),
            "[application] needs a name"
        );
        for (name, var) in &raw.variables {
            super::variables::validate_name(name).with_context(|| format!("variable {name:?}"))?;
            ensure!(
                var.required ^ var.default.is_some(),
                "variable {name:?} must be `required` OR have a `default`"
            );
        }
        let [trigger] = raw.trigger.http.as_slice() else {
            bail!("expected exactly one HTTP trigger");
        };
        let component = raw
            .component
            .get(&trigger.component)
            .with_context(|| format!("trigger names unknown component {:?}", trigger.component))?;
        for (name, template) in &component.variables {
            super::variables::validate_name(name)
                .with_context(|| format!("component variable {name:?}"))?;
            for reference in super::variables::references(template)? {
                ensure!(
                    raw.variables.contains_key(&reference),
                    "invalid variable template: unknown variable {reference:?}"
                );
            }
        }
        for host in &component.allowed_outbound_hosts {
            for reference in super::variables::references(host)? {
                ensure!(
                    raw.variables.contains_key(&reference),
                    "`allowed_outbound_hosts` is malformed: unknown variable {reference:?}"
                );
            }
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            route: trigger.route.clone(),
            component_id: trigger.component.clone(),
            source: dir.join(&component.source),
            build_command: component.build.as_ref().map(|b| b.command.clone()),
            sqlite_databases: component.sqlite_databases.clone(),
            key_value_stores: component.key_value_stores.clone(),
            allowed_outbound_hosts: component.allowed_outbound_hosts.clone(),
            app_variables: raw
                .variables
                .into_iter()
                .map(|(name, v)| {
                    (
                        name,
                        AppVariable {
                            default: v.default,
                            secret: v.secret,
                        },
                    )
                })
                .collect(),
            component_variables: component.variables.clone(),
        })
    }
}
