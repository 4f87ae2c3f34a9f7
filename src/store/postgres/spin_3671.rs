//! Workaround for Spin 4.0.0–4.0.2 (spinframework/spin issue 3671, fixed by PR 3673 after 4.0.2):
//! the synchronous `query` of `spin:postgres` never returns when the statement yields zero rows
//! (`BEGIN`, a lookup that finds nothing, an `UPDATE … RETURNING` that matches nothing), and a guest
//! cannot time a host call out. Spin 3.x is not affected.
//!
//! So no statement that can yield zero rows goes through `query`:
//! - a statement without a result set (no `SELECT`, no `RETURNING`) goes through `execute`;
//! - a statement with one is wrapped so that it always yields at least one row: its rows, numbered
//!   in a first column, outer-joined to a one-row filler. The filler's number is NULL, which tells
//!   it from a real row; `strip` drops it and the number before anyone sees the rows.
//!
//! Only `postgres/mod.rs` calls this. Remove the module once Spin 4.0.0–4.0.2 are no longer supported.

/// How a statement must be sent.
#[derive(Debug, PartialEq, Eq)]
pub enum Send {
    /// No result set: `execute`, whose row count is all there is.
    Execute,
    /// A result set: `query` with this padded statement, then `strip` its rows.
    Padded(String),
}

pub fn plan(sql: &str) -> Send {
    if has_result_set(sql) {
        Send::Padded(pad(sql))
    } else {
        Send::Execute
    }
}

fn has_result_set(sql: &str) -> bool {
    let first = sql
        .split(|c: char| !c.is_ascii_alphabetic())
        .find(|w| !w.is_empty())
        .unwrap_or_default();
    ["SELECT", "WITH", "VALUES", "TABLE"]
        .iter()
        .any(|k| first.eq_ignore_ascii_case(k))
        || outside_function_bodies(sql)
            .flat_map(|part| part.split(|c: char| !c.is_ascii_alphanumeric() && c != '_'))
            .any(|w| w.eq_ignore_ascii_case("RETURNING"))
}

/// The statement without its `$$`-quoted function bodies, whose own statements are not its result.
fn outside_function_bodies(sql: &str) -> impl Iterator<Item = &str> {
    sql.split("$$").step_by(2)
}

/// A data-modifying statement runs in a top-level CTE exactly once whatever the outer query reads;
/// `row_number() OVER ()` keeps the statement's own order (its `ORDER BY`) through the join.
fn pad(sql: &str) -> String {
    format!(
        "WITH spin_3671_result AS ({sql}) \
         SELECT spin_3671_rows.* FROM (VALUES (0)) AS spin_3671_filler (x) \
         LEFT JOIN (SELECT row_number() OVER () AS spin_3671_row, spin_3671_result.* \
         FROM spin_3671_result) AS spin_3671_rows ON TRUE \
         ORDER BY spin_3671_rows.spin_3671_row"
    )
}

/// The statement's own rows: the filler (NULL number) dropped, the number column removed.
pub fn strip<V>(rows: Vec<Vec<V>>, is_null: impl Fn(&V) -> bool) -> Vec<Vec<V>> {
    rows.into_iter()
        .filter_map(|row| {
            let mut values = row.into_iter();
            match values.next() {
                Some(number) if !is_null(&number) => Some(values.collect()),
                _ => None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_without_a_result_set_are_executed() {
        for sql in [
            "BEGIN",
            "COMMIT",
            "ROLLBACK",
            "CREATE TABLE t (x BIGINT)",
            "INSERT INTO t (x) VALUES ($1)",
            "UPDATE users SET returning_user = TRUE WHERE id = $1",
            "delete from t where x = 1",
            "CREATE FUNCTION f() RETURNS BIGINT LANGUAGE plpgsql AS $$ BEGIN \
             WITH r AS (DELETE FROM t RETURNING x) SELECT COUNT(*) INTO n FROM r; RETURN n; END $$",
        ] {
            assert_eq!(plan(sql), Send::Execute, "{sql}");
        }
    }

    #[test]
    fn statements_with_a_result_set_are_padded() {
        for sql in [
            "SELECT id FROM users WHERE email = $1",
            "  select 1",
            "WITH x AS (SELECT 1) SELECT * FROM x",
            "INSERT INTO t (x) VALUES ($1) RETURNING x",
            "UPDATE t SET x = 2 WHERE x = 1\nRETURNING\tx",
            "SELECT 1 FROM pg_advisory_xact_lock(7)",
        ] {
            match plan(sql) {
                Send::Padded(padded) => {
                    assert!(padded.starts_with("WITH spin_3671_result AS ("), "{sql}");
                    assert!(padded.contains(sql), "{sql}");
                }
                Send::Execute => panic!("{sql} must be padded"),
            }
        }
    }

    #[test]
    fn strip_drops_the_filler_and_the_row_number() {
        let filler_only: Vec<Vec<Option<i64>>> = vec![vec![None, None, None]];
        assert!(strip(filler_only, Option::is_none).is_empty());

        let rows = vec![vec![Some(1), Some(10), None], vec![Some(2), None, Some(20)]];
        assert_eq!(
            strip(rows, Option::is_none),
            vec![vec![Some(10), None], vec![None, Some(20)]]
        );
    }
}
