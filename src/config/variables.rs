//! Where variables come from: Spin in the component, a map in unit tests.

use super::error::ConfigError;

pub trait Variables {
    /// `Ok(None)` when the manifest does not define the variable for the component.
    fn get(&self, name: &str) -> Result<Option<String>, ConfigError>;
}

pub struct SpinVariables;

impl Variables for SpinVariables {
    fn get(&self, name: &str) -> Result<Option<String>, ConfigError> {
        match spin_sdk::variables::get(name) {
            Ok(value) => Ok(Some(value)),
            Err(spin_sdk::variables::Error::Undefined(_)) => Ok(None),
            Err(e) => Err(ConfigError::new(name, format!("cannot be read: {e}"))),
        }
    }
}
