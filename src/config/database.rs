//! Which database the service keeps its data in.

use super::settings::DATABASE_URL;
use super::{Config, ConfigError, Secret, Variables};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// Spin's SQLite database labelled `default`.
    Sqlite,
    /// Spin's PostgreSQL interface at this URL.
    Postgres(Secret),
}

impl<V: Variables> Config<V> {
    pub fn database(&self) -> Result<Database, ConfigError> {
        let Some(url) = self.secret(&DATABASE_URL)? else {
            return Ok(Database::Sqlite);
        };
        let scheme_ok = ["postgres://", "postgresql://"]
            .iter()
            .any(|scheme| url.expose().starts_with(scheme));
        if scheme_ok {
            Ok(Database::Postgres(url))
        } else {
            Err(ConfigError::new(
                DATABASE_URL.name,
                "must be empty (SQLite) or a postgres:// URL",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::testing::config;

    #[test]
    fn empty_selects_sqlite_and_a_postgres_url_selects_postgres() {
        assert_eq!(config(&[]).database(), Ok(Database::Sqlite));
        assert_eq!(
            config(&[("database_url", " postgres://u@db:5432/auth ")]).database(),
            Ok(Database::Postgres(Secret::new(
                "postgres://u@db:5432/auth".into()
            )))
        );
        assert!(config(&[("database_url", "mysql://x")]).database().is_err());
    }

    #[test]
    fn the_url_never_prints() {
        let db = config(&[("database_url", "postgres://u:hunter2@db/x")])
            .database()
            .unwrap();
        assert!(!format!("{db:?}").contains("hunter2"));
        let err = config(&[("database_url", "mysql://u:hunter2@db/x")])
            .database()
            .unwrap_err();
        assert!(!err.to_string().contains("hunter2"));
    }
}
