//! Versioned schema migrations, embedded in the component, applied on first use.
//!
//! Every request checks the schema version with one cheap query; only when it is behind does it take
//! the migration path: one write transaction (serialised across instances), each missing migration
//! applied in order and recorded in `schema_migrations`. A failed migration rolls back entirely.
//!
//! The SQL is written once, in the PostgreSQL dialect SQLite also accepts: `BIGINT` has integer
//! affinity there and `BOOLEAN` (with `TRUE`/`FALSE`, SQLite 3.23 and later) stores 0 and 1. Databases
//! record only the version and name of what was applied, never the text, so databases created when
//! SQLite had its own copy (with `INTEGER` columns) stay as they are. A version that only one backend
//! needs (PostgreSQL's functions for the hot statements, see routine.rs) is recorded on the other
//! with nothing run, so both count versions alike.

use super::Store;
use super::db::{Db, DbError, Dialect, Value};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
    /// The one backend this migration changes; elsewhere its version is recorded with nothing run.
    pub only: Option<Dialect>,
}

/// A migration and the text of its file: `migrations/{number}_{name}.sql`, or
/// `migrations/{number}_{name}.postgres.sql` for one that PostgreSQL alone needs.
macro_rules! migration {
    ($version:literal, $number:literal, $name:literal) => {
        Migration {
            version: $version,
            name: $name,
            sql: include_str!(concat!("../../migrations/", $number, "_", $name, ".sql")),
            only: None,
        }
    };
    ($version:literal, $number:literal, $name:literal, postgres) => {
        Migration {
            version: $version,
            name: $name,
            sql: include_str!(concat!(
                "../../migrations/",
                $number,
                "_",
                $name,
                ".postgres.sql"
            )),
            only: Some(Dialect::Postgres),
        }
    };
}

/// Every migration, in version order. One text serves both backends unless marked for one (see the
/// module comment); a version and its name never change once released, since databases record them.
pub static MIGRATIONS: &[Migration] = &[
    migration!(1, "0001", "accounts"),
    migration!(2, "0002", "mail_events_outbox"),
    migration!(3, "0003", "throttling"),
    migration!(4, "0004", "throttle_buckets_and_purging"),
    migration!(5, "0005", "outbox_link_expiry"),
    migration!(6, "0006", "account_self_service"),
    migration!(7, "0007", "platform"),
    migration!(8, "0008", "session_use_on_tokens"),
    migration!(9, "0009", "refreshes_counted_on_tokens"),
    migration!(10, "0010", "hot_path_functions", postgres),
];

const CREATE_VERSION_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (\
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";
const CURRENT_VERSION: &str = "SELECT MAX(version) FROM schema_migrations";

/// Brings the schema up to date. Cheap when it already is.
pub(super) fn ensure(store: &Store, now: i64) -> Result<(), DbError> {
    ensure_with(store, MIGRATIONS, now)
}

fn ensure_with(store: &Store, migrations: &[Migration], now: i64) -> Result<(), DbError> {
    let db = store.db();
    let latest = migrations.last().map_or(0, |m| m.version);
    if current_version(db).is_ok_and(|v| v >= latest) {
        return Ok(());
    }
    db.prepare_schema_change()?;
    store.transaction(|tx| apply_missing(tx.db(), migrations, now))
}

pub fn latest() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

fn current_version(db: &dyn Db) -> Result<i64, DbError> {
    Ok(db.query_row(CURRENT_VERSION, &[])?.opt_int(0)?.unwrap_or(0))
}

fn apply_missing(db: &dyn Db, migrations: &[Migration], now: i64) -> Result<(), DbError> {
    if let Some(lock) = db.migration_lock() {
        db.query(lock, &[])?;
    }
    db.query(CREATE_VERSION_TABLE, &[])?;
    let current = current_version(db)?;
    for migration in migrations.iter().filter(|m| m.version > current) {
        if migration.only.is_none_or(|only| only == db.dialect()) {
            for statement in statements(migration.sql) {
                db.query(&statement, &[])
                    .map_err(|e| DbError::Query(format!("migration {}: {e}", migration.version)))?;
            }
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
/// Migration files keep to plain DDL: no `;` inside literals, comments on their own lines; a
/// function body between `$$` quotes is part of its statement, semicolons and all.
pub fn statements(sql: &str) -> Vec<String> {
    let without_comments: String = sql
        .lines()
        .filter(|line| !line.trim_start().starts_with("--"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut statements = Vec::new();
    let mut current = String::new();
    // Outside quotes the even pieces between `$$` marks, inside them the odd ones.
    for (i, piece) in without_comments.split("$$").enumerate() {
        if i % 2 == 1 {
            current.push_str("$$");
            current.push_str(piece);
            current.push_str("$$");
            continue;
        }
        let mut parts = piece.split(';');
        if let Some(first) = parts.next() {
            current.push_str(first);
        }
        for part in parts {
            statements.push(std::mem::take(&mut current));
            current.push_str(part);
        }
    }
    statements.push(current);
    statements
        .iter()
        .map(|s| s.trim())
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

    #[test]
    fn a_function_body_stays_in_its_statement() {
        let sql = "CREATE FUNCTION f() RETURNS BIGINT LANGUAGE plpgsql AS $$\nBEGIN\n    RETURN 1;\nEND\n$$;\n\nCREATE INDEX i ON a (x);";
        assert_eq!(
            statements(sql),
            vec![
                "CREATE FUNCTION f() RETURNS BIGINT LANGUAGE plpgsql AS $$\nBEGIN\n    RETURN 1;\nEND\n$$",
                "CREATE INDEX i ON a (x)",
            ]
        );
    }

    static POSTGRES_ONLY: &[Migration] = &[Migration {
        version: 1,
        name: "functions",
        sql: "CREATE FUNCTION f() RETURNS BIGINT LANGUAGE sql AS $$ SELECT 1 $$;",
        only: Some(Dialect::Postgres),
    }];

    #[test]
    fn a_migration_for_another_backend_is_recorded_without_running() {
        // The scripted backend speaks SQLite.
        let (store, sent) = migrating(&[]);
        assert_eq!(ensure_with(&store, POSTGRES_ONLY, 7), Ok(()));
        let sent = sent.borrow();
        assert!(!sent.iter().any(|s| s.starts_with("CREATE FUNCTION")));
        assert!(
            sent.iter()
                .any(|s| s.starts_with("INSERT INTO schema_migrations"))
        );
    }

    static ONE: &[Migration] = &[Migration {
        version: 1,
        name: "one",
        sql: "CREATE TABLE a (x INT);\nCREATE INDEX i ON a (x);",
        only: None,
    }];

    fn migrating(
        failing: &'static [&'static str],
    ) -> (Store, std::rc::Rc<std::cell::RefCell<Vec<String>>>) {
        scripted(Script {
            sent: Default::default(),
            failing,
            begin: "BEGIN",
            lock: Some("SELECT pg_advisory_xact_lock(1)"),
        })
    }

    #[test]
    fn migrations_run_in_one_transaction_behind_the_backends_lock() {
        let (store, sent) = migrating(&[]);
        assert_eq!(ensure_with(&store, ONE, 7), Ok(()));
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
        assert!(ensure_with(&store, ONE, 7).is_err());
        let sent = sent.borrow();
        assert_eq!(sent.last().map(String::as_str), Some("ROLLBACK"));
        assert!(
            !sent
                .iter()
                .any(|s| s == "COMMIT" || s.starts_with("INSERT"))
        );
    }

    #[test]
    fn versions_count_up_from_one_without_gaps() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(Ok(m.version), i64::try_from(i + 1), "{}", m.name);
        }
        assert_eq!(Ok(latest()), i64::try_from(MIGRATIONS.len()));
    }

    #[test]
    fn names_are_unique_snake_case_words() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert!(
                !m.name.is_empty()
                    && m.name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{}",
                m.name
            );
            assert!(
                MIGRATIONS.iter().skip(i + 1).all(|o| o.name != m.name),
                "{} twice",
                m.name
            );
        }
    }

    #[test]
    fn every_migration_has_statements() {
        for m in MIGRATIONS {
            assert!(
                !statements(m.sql).is_empty(),
                "migration {} is empty",
                m.version
            );
        }
    }

    /// Constructs that one backend refuses or reads differently. The API suite proves the SQL on
    /// both; this names the mistake before a database is involved.
    const ONE_BACKEND_ONLY: &[&[&str]] = &[
        &["AUTOINCREMENT"],
        &["INTEGER", "PRIMARY", "KEY"],
        &["WITHOUT", "ROWID"],
        &["STRICT"],
        &["SERIAL"],
        &["BIGSERIAL"],
        &["TIMESTAMPTZ"],
        &["JSONB"],
        &["$$"],
        &["CONCURRENTLY"],
        &["ADD", "CONSTRAINT"],
        &["ALTER", "COLUMN"],
    ];

    fn words(statement: &str) -> Vec<String> {
        statement
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_uppercase)
            .collect()
    }

    #[test]
    fn shared_migrations_avoid_what_only_one_backend_understands() {
        for m in MIGRATIONS.iter().filter(|m| m.only.is_none()) {
            for statement in statements(m.sql) {
                let words = words(&statement);
                for phrase in ONE_BACKEND_ONLY {
                    assert!(
                        !words.windows(phrase.len()).any(|w| w == *phrase),
                        "migration {}: {phrase:?} in {statement}",
                        m.version
                    );
                }
            }
        }
    }

    #[test]
    fn the_portability_check_matches_whole_words() {
        let found =
            |sql: &str, phrase: &[&str]| words(sql).windows(phrase.len()).any(|w| w == phrase);
        assert!(found(
            "id integer  primary\nkey",
            &["INTEGER", "PRIMARY", "KEY"]
        ));
        assert!(found("DO $$ BEGIN END $$", &["$$"]));
        assert!(!found("ON DELETE RESTRICT", &["STRICT"]));
        assert!(!found(
            "id BIGINT PRIMARY KEY",
            &["INTEGER", "PRIMARY", "KEY"]
        ));
    }
}
