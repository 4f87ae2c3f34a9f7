//! Databases created before the schema was written once for both backends: each backend then had
//! its own migration files (kept in `tests/fixtures/migrations-before-one-schema/`). Such a database
//! be served, never migrated again by the versions it has, and hold the schema a fresh database gets
//! once the versions released since are applied.

use super::password_reset::token_in;
use crate::backend_tests;
use auth_test_support::app::Tokens;
use auth_test_support::{Backend, TestApp};
use serde_json::json;
use std::path::PathBuf;

backend_tests! {
    async fn a_database_migrated_by_the_old_files_is_served_untouched_and_matches_a_fresh_one(app) {
        apply_the_old_migrations(&app).await;
        let recorded = app.db_rows("SELECT version, name, applied_at FROM schema_migrations ORDER BY version").await;
        let before = Schema::read(&app).await;

        // The component serves it: writes and reads of every kind of column, booleans included.
        let (user, early) = app.logged_in_user().await;
        assert_eq!(app.verify(&early.access).await.status, 200);
        let me = app.get_authorized("/me", &early.access).await;
        assert_eq!(me.status, 200, "{}", me.text());
        assert_eq!(me.json()["email_verified"], false);
        let mails = app.wait_for_mails(1).await;
        let verified = app.post_json("/verify-email", &json!({"token": token_in(&mails[0])})).await;
        assert_eq!(verified.status, 200, "{}", verified.text());
        // Verifying ends the sessions signed in before it.
        assert_eq!(app.verify(&early.access).await.status, 401);
        let first = Tokens::from(&app.login(&user.email, &user.password).await);
        assert_eq!(app.get_authorized("/me", &first.access).await.json()["email_verified"], true);
        let second = Tokens::from(&app.refresh(&first.refresh).await);
        // A second tab replaying the rotated token marks its grace as used.
        let sibling = app.refresh(&first.refresh).await;
        assert_eq!(sibling.status, 200, "{}", sibling.text());
        assert_eq!(Tokens::from(&sibling).refresh, second.refresh);
        assert_eq!(app.db_count("SELECT COUNT(*) FROM refresh_tokens WHERE grace_used").await, 1);
        let logout = app.post_json("/logout", &json!({"refresh_token": second.refresh})).await;
        assert_eq!(logout.status, 204, "{}", logout.text());
        assert_eq!(app.refresh(&second.refresh).await.status, 401);
        assert_eq!(app.login(&user.email, &user.password).await.status, 200);
        assert_eq!(app.get("/health").await.status, 200);

        // The old versions were not applied again; only versions released since are added.
        let after = app.db_rows("SELECT version, name, applied_at FROM schema_migrations ORDER BY version").await;
        assert_eq!(after.get(..recorded.len()), Some(&recorded[..]));
        let used = Schema::read(&app).await;
        assert_eq!(
            after.len() > recorded.len(),
            before.shape != used.shape,
            "the schema changed exactly when a newer migration ran"
        );

        // The same schema as a database migrated from `migrations/` by the component.
        let fresh = TestApp::spawn_on(app.runtime, app.backend, &[], true).await.expect("a second database");
        assert_eq!(fresh.get("/health").await.status, 200);
        let fresh_versions = fresh.db_rows("SELECT version, name FROM schema_migrations ORDER BY version").await;
        let old_versions: Vec<_> = after.iter().map(|r| r[..2].to_vec()).collect();
        assert_eq!(fresh_versions, old_versions);
        assert_same("the old database and a fresh one", &used.shape, &Schema::read(&fresh).await.shape);
        fresh.finish().await;
    }
}

/// What the per-backend registry did on a new database, from its files: one transaction that
/// creates the version table, runs every migration in order and records each.
async fn apply_the_old_migrations(app: &TestApp) {
    let folder = match app.backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/migrations-before-one-schema")
        .join(folder);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the old migrations")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 7, "{dir:?}");
    let mut batch = String::from(
        "BEGIN;\nCREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, \
         name TEXT NOT NULL, applied_at BIGINT NOT NULL);\n",
    );
    for (i, path) in files.iter().enumerate() {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("a file name");
        let (number, name) = stem.split_once('_').expect("NNNN_name.sql");
        let version: i64 = number.parse().expect("a version number");
        assert_eq!(version, i64::try_from(i + 1).unwrap(), "{stem}");
        batch.push_str(&std::fs::read_to_string(path).expect("a migration"));
        // A time well before the test clock's, so that a second recording would show.
        batch.push_str(&format!(
            "\nINSERT INTO schema_migrations (version, name, applied_at) VALUES ({version}, '{name}', {});\n",
            1_600_000_000 + version
        ));
    }
    batch.push_str("COMMIT;");
    app.db_execute(&batch).await;
}

/// A database's schema as lines of text, sorted, so that a difference reads as the lines it adds
/// or lacks.
struct Schema {
    /// What the service's statements can tell apart: tables, columns with their types (SQLite: by
    /// affinity), nullability and defaults (as values), keys, constraints, indexes with their
    /// predicates, foreign keys.
    shape: Vec<String>,
}

impl Schema {
    async fn read(app: &TestApp) -> Self {
        match app.backend {
            Backend::Sqlite => Self::sqlite(app).await,
            Backend::Postgres => Self::postgres(app).await,
        }
    }

    async fn sqlite(app: &TestApp) -> Self {
        let mut shape = Vec::new();
        for row in app
            .db_rows("SELECT type, name, tbl_name FROM sqlite_master")
            .await
        {
            shape.push(format!("object {}", joined(&row)));
        }
        for row in app
            .db_rows(
                "SELECT name, type, ncol, wr, strict FROM pragma_table_list WHERE schema = 'main'",
            )
            .await
        {
            shape.push(format!("table {}", joined(&row)));
        }
        let columns = app
            .db_rows(
                "SELECT m.name, p.cid, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk \
                 FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'",
            )
            .await;
        for row in columns {
            let [table, cid, name, declared, not_null, default, pk] = row.as_slice() else {
                panic!("a table_info row: {row:?}");
            };
            let default = match default {
                Some(expression) => {
                    app.db_rows(&format!("SELECT quote({expression})")).await[0][0].clone()
                }
                None => None,
            };
            shape.push(format!(
                "column {} #{} {} {} notnull={} default={} pk={}",
                text(table),
                text(cid),
                text(name),
                storage_class(&text(declared)),
                text(not_null),
                text(&default),
                text(pk)
            ));
        }
        for row in app
            .db_rows(
                "SELECT m.name, l.name, l.\"unique\", l.origin, l.partial \
                 FROM sqlite_master m JOIN pragma_index_list(m.name) l WHERE m.type = 'table'",
            )
            .await
        {
            shape.push(format!("index {}", joined(&row)));
        }
        for row in app
            .db_rows(
                "SELECT m.name, x.seqno, x.cid, x.name, x.\"desc\", x.coll, x.\"key\" \
                 FROM sqlite_master m JOIN pragma_index_xinfo(m.name) x WHERE m.type = 'index'",
            )
            .await
        {
            shape.push(format!("index column {}", joined(&row)));
        }
        // Index definitions hold no types: their text (with any `WHERE` predicate) must agree.
        for row in app
            .db_rows("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
            .await
        {
            shape.push(format!("index definition {}", normalized(&joined(&row))));
        }
        for row in app
            .db_rows(
                "SELECT m.name, f.id, f.seq, f.\"table\", f.\"from\", f.\"to\", f.on_update, \
                 f.on_delete, f.\"match\" FROM sqlite_master m \
                 JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table'",
            )
            .await
        {
            shape.push(format!("foreign key {}", joined(&row)));
        }
        Self::sorted(shape)
    }

    async fn postgres(app: &TestApp) -> Self {
        let queries = [
            (
                "relation",
                "SELECT c.relname, c.relkind FROM pg_class c \
                 JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'",
            ),
            (
                "column",
                "SELECT table_name, ordinal_position, column_name, data_type, is_nullable, \
                 column_default FROM information_schema.columns WHERE table_schema = 'public'",
            ),
            (
                "constraint",
                "SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid) \
                 FROM pg_constraint WHERE connamespace = 'public'::regnamespace",
            ),
            // The definition includes UNIQUE, the columns and any `WHERE` predicate.
            (
                "index",
                "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'",
            ),
        ];
        let mut shape = Vec::new();
        for (kind, sql) in queries {
            for row in app.db_rows(sql).await {
                shape.push(format!("{kind} {}", joined(&row)));
            }
        }
        Self::sorted(shape)
    }

    fn sorted(mut shape: Vec<String>) -> Self {
        shape.sort();
        Self { shape }
    }
}

/// SQLite's type affinity of a declared column type (the rules of "Datatypes In SQLite", 3.1), with
/// INTEGER and NUMERIC as one class: SQLite documents that a column of either affinity behaves the
/// same, the two differing only in a `CAST`, which names its own type. The old files declared
/// booleans `INTEGER`; `BOOLEAN` has NUMERIC affinity. Both keep 0 and 1 as integers.
fn storage_class(declared: &str) -> &'static str {
    let declared = declared.to_ascii_uppercase();
    let has = |parts: &[&str]| parts.iter().any(|p| declared.contains(p));
    if has(&["INT"]) {
        "integer-or-numeric"
    } else if has(&["CHAR", "CLOB", "TEXT"]) {
        "text"
    } else if declared.is_empty() || has(&["BLOB"]) {
        "blob"
    } else if has(&["REAL", "FLOA", "DOUB"]) {
        "real"
    } else {
        "integer-or-numeric"
    }
}

fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_else(|| "NULL".to_owned())
}

fn joined(row: &[Option<String>]) -> String {
    row.iter().map(text).collect::<Vec<_>>().join(" | ")
}

fn normalized(sql: &str) -> String {
    sql.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn assert_same(what: &str, left: &[String], right: &[String]) {
    let only_left: Vec<_> = left.iter().filter(|l| !right.contains(l)).collect();
    let only_right: Vec<_> = right.iter().filter(|r| !left.contains(r)).collect();
    assert!(
        left == right,
        "{what} differ\nonly in the first:\n{only_left:#?}\nonly in the second:\n{only_right:#?}"
    );
}

#[test]
fn affinity_follows_sqlites_rules() {
    assert_eq!(storage_class("BIGINT"), storage_class("INTEGER"));
    assert_eq!(storage_class("BOOLEAN"), storage_class("INTEGER"));
    assert_eq!(storage_class("TEXT"), "text");
    assert_eq!(storage_class("VARCHAR(20)"), "text");
    assert_eq!(storage_class("DOUBLE PRECISION"), "real");
    assert_eq!(storage_class(""), "blob");
    // "POINT" holds "INT": SQLite's rule is a substring match, and so is this one.
    assert_eq!(storage_class("FLOATING POINT"), "integer-or-numeric");
}
