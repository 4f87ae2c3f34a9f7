//! Versioned schema migrations, embedded in the component, applied on first use.
//!
//! Every request checks the schema version with one cheap query; only when it is behind does it take
//! the migration path: one write transaction (serialised across instances), each missing migration
//! applied in order and recorded in `schema_migrations`. A failed migration rolls back entirely.

use super::Store;
use super::db::{Db, DbError, Value};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

pub static SQLITE: &[Migration] = &[
    Migration {
        version: 1,
        name: "accounts",
        sql: include_str!("../../migrations/sqlite/0001_accounts.sql"),
    },
    Migration {
        version: 2,
        name: "mail_events_outbox",
        sql: include_str!("../../migrations/sqlite/0002_mail_events_outbox.sql"),
    },
    Migration {
        version: 3,
        name: "throttling",
        sql: include_str!("../../migrations/sqlite/0003_throttling.sql"),
    },
    Migration {
        version: 4,
        name: "throttle_buckets_and_purging",
        sql: include_str!("../../migrations/sqlite/0004_throttle_buckets_and_purging.sql"),
    },
    Migration {
        version: 5,
        name: "outbox_link_expiry",
        sql: include_str!("../../migrations/sqlite/0005_outbox_link_expiry.sql"),
    },
    Migration {
        version: 6,
        name: "account_self_service",
        sql: include_str!("../../migrations/sqlite/0006_account_self_service.sql"),
    },
    Migration {
        version: 7,
        name: "platform",
        sql: include_str!("../../migrations/sqlite/0007_platform.sql"),
    },
];

pub static POSTGRES: &[Migration] = &[
    Migration {
        version: 1,
        name: "accounts",
        sql: include_str!("../../migrations/postgres/0001_accounts.sql"),
    },
    Migration {
        version: 2,
        name: "mail_events_outbox",
        sql: include_str!("../../migrations/postgres/0002_mail_events_outbox.sql"),
    },
    Migration {
        version: 3,
        name: "throttling",
        sql: include_str!("../../migrations/postgres/0003_throttling.sql"),
    },
    Migration {
        version: 4,
        name: "throttle_buckets_and_purging",
        sql: include_str!("../../migrations/postgres/0004_throttle_buckets_and_purging.sql"),
    },
    Migration {
        version: 5,
        name: "outbox_link_expiry",
        sql: include_str!("../../migrations/postgres/0005_outbox_link_expiry.sql"),
    },
    Migration {
        version: 6,
        name: "account_self_service",
        sql: include_str!("../../migrations/postgres/0006_account_self_service.sql"),
    },
    Migration {
        version: 7,
        name: "platform",
        sql: include_str!("../../migrations/postgres/0007_platform.sql"),
    },
];

const CREATE_VERSION_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (\
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";
const CURRENT_VERSION: &str = "SELECT MAX(version) FROM schema_migrations";

/// Brings the schema up to date. Cheap when it already is.
pub(super) fn ensure(store: &Store, now: i64) -> Result<(), DbError> {
    let db = store.db();
    if current_version(db).is_ok_and(|v| v >= latest(db)) {
        return Ok(());
    }
    db.prepare_schema_change()?;
    store.transaction(|tx| apply_missing(tx.db(), now))
}

pub fn latest(db: &dyn Db) -> i64 {
    db.migrations().last().map_or(0, |m| m.version)
}

fn current_version(db: &dyn Db) -> Result<i64, DbError> {
    let rows = db.query(CURRENT_VERSION, &[])?;
    Ok(rows
        .first()
        .map(|r| r.opt_int(0))
        .transpose()?
        .flatten()
        .unwrap_or(0))
}

fn apply_missing(db: &dyn Db, now: i64) -> Result<(), DbError> {
    if let Some(lock) = db.migration_lock() {
        db.query(lock, &[])?;
    }
    db.query(CREATE_VERSION_TABLE, &[])?;
    let current = current_version(db)?;
    for migration in db.migrations().iter().filter(|m| m.version > current) {
        for statement in statements(migration.sql) {
            db.query(&statement, &[])
                .map_err(|e| DbError::Query(format!("migration {}: {e}", migration.version)))?;
        }
        db.query(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            &[
                Value::Int(migration.version),
                Value::from(migration.name),
                Value::Int(now),
            ],
        )?;
    }
    Ok(())
}

/// Splits a migration file into statements: both host interfaces run one statement per call.
/// Migration files keep to plain DDL: no `;` inside literals, comments on their own lines.
pub fn statements(sql: &str) -> Vec<String> {
    let without_comments: String = sql
        .lines()
        .filter(|line| !line.trim_start().starts_with("--"))
        .collect::<Vec<_>>()
        .join("\n");
    without_comments
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::transaction::tests::{Script, scripted};
    use super::*;

    #[test]
    fn splits_statements_and_drops_comments() {
        let sql = "-- a comment; with a semicolon\nCREATE TABLE a (x INT);\n\n  CREATE INDEX i ON a (x);\n";
        assert_eq!(
            statements(sql),
            vec!["CREATE TABLE a (x INT)", "CREATE INDEX i ON a (x)"]
        );
    }

    static ONE: &[Migration] = &[Migration {
        version: 1,
        name: "one",
        sql: "CREATE TABLE a (x INT);\nCREATE INDEX i ON a (x);",
    }];

    fn migrating(
        failing: &'static [&'static str],
    ) -> (Store, std::rc::Rc<std::cell::RefCell<Vec<String>>>) {
        scripted(Script {
            sent: Default::default(),
            failing,
            begin: "BEGIN",
            lock: Some("SELECT pg_advisory_xact_lock(1)"),
            migrations: ONE,
        })
    }

    #[test]
    fn migrations_run_in_one_transaction_behind_the_backends_lock() {
        let (store, sent) = migrating(&[]);
        assert_eq!(ensure(&store, 7), Ok(()));
        assert_eq!(
            *sent.borrow(),
            [
                CURRENT_VERSION,
                "PREPARE SCHEMA",
                "BEGIN",
                "SELECT pg_advisory_xact_lock(1)",
                CREATE_VERSION_TABLE,
                CURRENT_VERSION,
                "CREATE TABLE a (x INT)",
                "CREATE INDEX i ON a (x)",
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                "COMMIT",
            ]
        );
    }

    #[test]
    fn a_failed_migration_rolls_back_entirely() {
        let (store, sent) = migrating(&["CREATE INDEX"]);
        assert!(ensure(&store, 7).is_err());
        let sent = sent.borrow();
        assert_eq!(sent.last().map(String::as_str), Some("ROLLBACK"));
        assert!(
            !sent
                .iter()
                .any(|s| s == "COMMIT" || s.starts_with("INSERT"))
        );
    }

    #[test]
    fn both_backends_have_the_same_versions_in_order() {
        let versions =
            |ms: &[Migration]| ms.iter().map(|m| (m.version, m.name)).collect::<Vec<_>>();
        assert_eq!(versions(SQLITE), versions(POSTGRES));
        assert!(SQLITE.windows(2).all(|w| w[0].version < w[1].version));
        assert_eq!(SQLITE.first().map(|m| m.version), Some(1));
    }

    #[test]
    fn every_migration_has_statements() {
        for m in SQLITE.iter().chain(POSTGRES) {
            assert!(
                !statements(m.sql).is_empty(),
                "migration {} is empty",
                m.version
            );
        }
    }
}
