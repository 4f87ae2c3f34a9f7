//! Map-backed variables for unit tests, defined the way `spin.toml` defines them.

use super::settings::SETTINGS;
use super::{Config, ConfigError, Variables};
use std::cell::RefCell;
use std::collections::HashMap;

/// Variables as a manifest defines them: absent from the map is undefined.
pub struct MapVariables {
    values: HashMap<String, String>,
    /// Every name asked for, in order, repeats included.
    pub asked: RefCell<Vec<String>>,
}

impl Variables for MapVariables {
    fn get(&self, name: &str) -> Result<Option<String>, ConfigError> {
        self.asked.borrow_mut().push(name.to_owned());
        Ok(self.values.get(name).cloned())
    }
}

/// Every setting at the table's default, as `spin.toml` declares them, then `pairs` over them.
pub fn config(pairs: &[(&str, &str)]) -> Config<MapVariables> {
    let defaults = SETTINGS
        .iter()
        .map(|s| (s.name().to_owned(), s.default_value()));
    let values = defaults
        .chain(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        )
        .collect();
    Config::new(MapVariables {
        values,
        asked: RefCell::default(),
    })
}

/// As `config(&[])`, with one variable left out of the manifest.
pub fn config_without(name: &str) -> Config<MapVariables> {
    let mut config = config(&[]);
    config.vars.values.remove(name);
    config
}
