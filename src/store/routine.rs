//! The statements a hot path runs on every request, and how each backend runs them.
//!
//! PostgreSQL plans a statement sent as text again on every request, and for the refresh's lookup
//! and rotation that planning cost the server more than running them. So on PostgreSQL each such
//! statement runs inside a function (migration 10) whose body is the same text: PL/pgSQL keeps a
//! function's plans for as long as the pooled connection lives. SQLite prepares statements per
//! connection, and a connection lasts one request, so there the statement is sent as written.

/// A hot statement: its text, and its call on PostgreSQL.
pub struct Routine {
    /// The statement, with `$1..$n` placeholders.
    pub sql: &'static str,
    /// `SELECT` of the PostgreSQL function that runs `sql` with the same parameters, in order. The
    /// function yields exactly one row: the statement's own row, or the count of rows it returned.
    pub call: &'static str,
}

#[cfg(test)]
mod tests {
    use super::Routine;
    use crate::store::db::Dialect;
    use crate::store::lookups::REFRESH_LOOKUP;
    use crate::store::migrations::MIGRATIONS;
    use crate::store::sessions::ROTATE_REFRESH_TOKEN;

    fn words(text: &str) -> String {
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// The body of the function that `routine.call` names, as the latest PostgreSQL migration that
    /// defines it leaves it, on one line.
    fn body_of(routine: &Routine) -> String {
        let name = routine
            .call
            .split_whitespace()
            .find_map(|w| w.split_once('(').map(|(name, _)| name))
            .unwrap();
        let definition = MIGRATIONS
            .iter()
            .rev()
            .filter(|m| m.only == Some(Dialect::Postgres))
            .flat_map(|m| m.sql.split("CREATE OR REPLACE FUNCTION "))
            .find(|d| d.starts_with(&format!("{name}(")))
            .unwrap_or_else(|| panic!("no function {name}"));
        words(definition.split("$$").nth(1).unwrap())
    }

    #[test]
    fn each_function_runs_the_statement_sqlite_runs() {
        for routine in [&REFRESH_LOOKUP, &ROTATE_REFRESH_TOKEN] {
            // PostgreSQL also locks the session row the rotation reads (see `Db::lock_rows`).
            let body = body_of(routine).replace(" FOR UPDATE", "");
            assert!(body.contains(&words(routine.sql)), "{body}");
        }
    }

    #[test]
    fn each_call_passes_every_parameter_in_order() {
        for routine in [&REFRESH_LOOKUP, &ROTATE_REFRESH_TOKEN] {
            let used = (1..10)
                .take_while(|n| routine.sql.contains(&format!("${n}")))
                .count();
            let passed: Vec<String> = (1..=used).map(|n| format!("${n}")).collect();
            assert!(
                routine.call.contains(&format!("({})", passed.join(", "))),
                "{}",
                routine.call
            );
        }
    }
}
