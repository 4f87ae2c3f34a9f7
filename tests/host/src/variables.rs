//! `fermyon:spin/variables@2.0.0`, resolved as Spin resolves them: component variables are templates
//! over application variables, whose values come from providers (per-test overrides, then the
//! `SPIN_VARIABLE_*` environment) or else their defaults.

use super::HostState;
use super::manifest::Manifest;
use crate::bindings::fermyon::spin::variables::{Error, Host};
use anyhow::{Result, bail, ensure};
use std::collections::{BTreeMap, HashMap};

/// Spin's key rules: lower-case letters, digits and single underscores, starting with a letter and
/// ending with a letter or digit.
pub(crate) fn validate_name(name: &str) -> Result<()> {
    ensure!(!name.is_empty(), "must not be empty");
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_'))
    {
        bail!(
            "invalid character {bad:?}. Variable names may contain only lower-case letters, numbers, and underscores."
        );
    }
    ensure!(
        name.starts_with(|c: char| c.is_ascii_lowercase()),
        "must start with a lowercase letter"
    );
    ensure!(!name.ends_with('_'), "must end with a letter or a number");
    ensure!(
        !name.contains("__"),
        "must not contain multiple consecutive underscores"
    );
    Ok(())
}

/// The application variables a template refers to.
pub(crate) fn references(template: &str) -> Result<Vec<String>> {
    Ok(parse(template)?
        .into_iter()
        .filter_map(|part| match part {
            Part::Var(name) => Some(name),
            Part::Lit(_) => None,
        })
        .collect())
}

enum Part {
    Lit(String),
    Var(String),
}

fn parse(template: &str) -> Result<Vec<Part>> {
    let mut parts = Vec::new();
    let mut rest = template;
    while let Some((literal, expression)) = rest.split_once("{{") {
        parts.push(Part::Lit(literal.to_owned()));
        let Some((name, after)) = expression.split_once("}}") else {
            bail!("invalid variable template: unterminated expression in {template:?}");
        };
        let name = name.trim();
        validate_name(name)?;
        parts.push(Part::Var(name.to_owned()));
        rest = after;
    }
    parts.push(Part::Lit(rest.to_owned()));
    Ok(parts)
}

/// Application variable values after providers and defaults; `None` for a required one with no value.
#[derive(Debug, Clone)]
pub(crate) struct Resolver {
    app: BTreeMap<String, Option<String>>,
    component: BTreeMap<String, String>,
}

impl Resolver {
    pub(crate) fn new(manifest: &Manifest, overrides: &HashMap<String, String>) -> Result<Self> {
        for name in overrides.keys() {
            ensure!(
                manifest.app_variables.contains_key(name),
                "override of undeclared variable {name:?}"
            );
        }
        let app: BTreeMap<String, Option<String>> = manifest
            .app_variables
            .iter()
            .map(|(name, var)| {
                let provided = overrides.get(name).cloned().or_else(|| {
                    std::env::var(format!("SPIN_VARIABLE_{}", name.to_uppercase())).ok()
                });
                (name.clone(), provided.or_else(|| var.default.clone()))
            })
            .collect();
        // As `spin up` does since 4.x: refuse to start with a required variable unresolved.
        let missing: Vec<&String> = app
            .iter()
            .filter(|(_, v)| v.is_none())
            .map(|(k, _)| k)
            .collect();
        ensure!(
            missing.is_empty(),
            "provider error: no provider resolved required variable(s): {missing:?}"
        );
        Ok(Self {
            app,
            component: manifest.component_variables.clone(),
        })
    }

    pub(crate) fn render(&self, template: &str) -> Result<String, String> {
        let parts = parse(template).map_err(|e| e.to_string())?;
        let mut out = String::new();
        for part in parts {
            match part {
                Part::Lit(text) => out.push_str(&text),
                Part::Var(name) => match self.app.get(&name) {
                    Some(Some(value)) => out.push_str(value),
                    Some(None) => {
                        return Err(format!("no provider resolved required variable {name:?}"));
                    }
                    None => {
                        return Err(format!(
                            "invalid variable template: unknown variable {name:?}"
                        ));
                    }
                },
            }
        }
        Ok(out)
    }

    fn get(&self, component_id: &str, name: &str) -> Result<String, Error> {
        validate_name(name).map_err(|e| Error::InvalidName(format!("{name:?}: {e}")))?;
        let template = self.component.get(name).ok_or_else(|| {
            Error::Undefined(format!("no variable for {component_id:?}.{name:?}"))
        })?;
        self.render(template).map_err(Error::Provider)
    }
}

impl Host for HostState {
    async fn get(&mut self, name: String) -> wasmtime::Result<Result<String, Error>> {
        Ok(self
            .app
            .variables
            .get(&self.app.manifest.component_id, &name))
    }
}
