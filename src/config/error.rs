//! A variable the service cannot use: undefined, unreadable, or with a value out of its rules.

use super::settings::Setting;
use std::fmt;

/// Names the variable, never echoes a secret's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub variable: String,
    pub problem: String,
}

impl ConfigError {
    pub(super) fn new(variable: &str, problem: impl Into<String>) -> Self {
        Self {
            variable: variable.to_owned(),
            problem: problem.into(),
        }
    }

    /// The manifest does not define a variable the code asks for. Spin refuses a manifest that
    /// lacks a required variable before the component runs, but cannot know what the code reads:
    /// this says what to add.
    pub(super) fn undefined(setting: Setting) -> Self {
        let name = setting.name();
        // The default is the source's, never a configured value, so a secret's may show too.
        let secret = if setting.secret() {
            ", secret = true"
        } else {
            ""
        };
        let declaration = format!("default = {:?}{secret}", setting.default_value());
        Self::new(
            name,
            format!(
                "is not defined for the component: spin.toml needs `{name} = {{ {declaration} }}` \
                 under [variables] and `{name} = \"{{{{ {name} }}}}\"` under the component's variables"
            ),
        )
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "variable `{}` {}", self.variable, self.problem)
    }
}
