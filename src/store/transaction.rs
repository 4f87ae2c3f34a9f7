//! The one place where transactions begin and end: the handlers' units of work, the store's own
//! (token rotation, purging) and migrations all go through `Store::transaction`.

use super::db::Db;
use super::{DbError, Reader, Store};
use std::ops::Deref;

/// One open write transaction; see the module documentation of `store`.
pub struct Tx<'a> {
    reader: &'a Reader,
}

impl Deref for Tx<'_> {
    type Target = Reader;

    fn deref(&self) -> &Reader {
        self.reader
    }
}

impl Store {
    /// Runs `work` in one write transaction: committed if it returns `Ok`, rolled back otherwise,
    /// so that no path leaves a transaction open on a pooled connection. Begun as the backend
    /// requires of a writer (`Db::begin_write`: SQLite takes the write lock at once).
    ///
    /// A `Tx` cannot start another transaction, but a closure could still capture this `Store`;
    /// such a nested call fails before sending any SQL (on PostgreSQL a nested `BEGIN` is only a
    /// warning, and its `COMMIT` would end the outer transaction early).
    pub fn transaction<T, E: From<DbError>>(
        &self,
        work: impl FnOnce(&Tx<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        if self.in_transaction.replace(true) {
            return Err(DbError::Query("a transaction is already open".to_owned()).into());
        }
        let result = run(&self.reader, work);
        self.in_transaction.set(false);
        result
    }
}

fn run<T, E: From<DbError>>(
    reader: &Reader,
    work: impl FnOnce(&Tx<'_>) -> Result<T, E>,
) -> Result<T, E> {
    let db = reader.db();
    db.begin_write()?;
    match work(&Tx { reader }) {
        Ok(value) => match db.query("COMMIT", &[]) {
            Ok(_) => Ok(value),
            Err(e) => {
                rollback(db);
                Err(e.into())
            }
        },
        Err(e) => {
            rollback(db);
            Err(e)
        }
    }
}

fn rollback(db: &dyn Db) {
    // If the rollback itself fails the connection is unusable anyway and is dropped with the request.
    let _ = db.query("ROLLBACK", &[]);
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::db::Dialect;
    use super::super::{Row, Value};
    use super::*;
    use std::cell::RefCell;
    use std::rc::Rc;

    /// A backend that records the statements it is sent and fails the ones it is told to.
    pub struct Script {
        pub sent: Rc<RefCell<Vec<String>>>,
        pub failing: &'static [&'static str],
        pub begin: &'static str,
        pub lock: Option<&'static str>,
    }

    impl Db for Script {
        fn query(&self, sql: &str, _params: &[Value]) -> Result<Vec<Row>, DbError> {
            self.sent.borrow_mut().push(sql.to_owned());
            if self.failing.iter().any(|f| sql.starts_with(f)) {
                return Err(DbError::Query(format!("refused {sql}")));
            }
            Ok(Vec::new())
        }

        /// A row of one NULL: what `MAX` of an empty table yields.
        fn query_row(&self, sql: &str, params: &[Value]) -> Result<Row, DbError> {
            self.query(sql, params)?;
            Ok(Row(vec![Value::Null]))
        }

        fn dialect(&self) -> Dialect {
            Dialect::Sqlite
        }

        fn begin_write(&self) -> Result<(), DbError> {
            self.query(self.begin, &[]).map(drop)
        }

        fn prepare_schema_change(&self) -> Result<(), DbError> {
            self.query("PREPARE SCHEMA", &[]).map(drop)
        }

        fn migration_lock(&self) -> Option<&'static str> {
            self.lock
        }

        fn lock_rows(&self) -> &'static str {
            ""
        }

        fn is_unique_violation(&self, _error: &DbError) -> bool {
            false
        }
    }

    /// A store over a scripted backend, and what it was sent.
    pub fn scripted(script: Script) -> (Store, Rc<RefCell<Vec<String>>>) {
        let sent = Rc::clone(&script.sent);
        (Store::with_db(Box::new(script), 0), sent)
    }

    fn store(failing: &'static [&'static str]) -> (Store, Rc<RefCell<Vec<String>>>) {
        scripted(Script {
            sent: Rc::default(),
            failing,
            begin: "BEGIN IMMEDIATE",
            lock: None,
        })
    }

    fn work(tx: &Tx<'_>) -> Result<(), DbError> {
        tx.query("UPDATE t SET x = 1", &[]).map(drop)
    }

    #[test]
    fn work_that_succeeds_is_committed() {
        let (store, sent) = store(&[]);
        assert_eq!(store.transaction(work), Ok(()));
        assert_eq!(
            *sent.borrow(),
            ["BEGIN IMMEDIATE", "UPDATE t SET x = 1", "COMMIT"]
        );
    }

    #[test]
    fn work_that_fails_is_rolled_back() {
        let (store, sent) = store(&["UPDATE"]);
        assert!(store.transaction(work).is_err());
        assert_eq!(
            *sent.borrow(),
            ["BEGIN IMMEDIATE", "UPDATE t SET x = 1", "ROLLBACK"]
        );
    }

    #[test]
    fn a_failed_commit_is_rolled_back_and_reported() {
        let (store, sent) = store(&["COMMIT"]);
        assert!(store.transaction(work).is_err());
        assert_eq!(
            *sent.borrow(),
            [
                "BEGIN IMMEDIATE",
                "UPDATE t SET x = 1",
                "COMMIT",
                "ROLLBACK"
            ]
        );
    }

    #[test]
    fn a_nested_transaction_fails_without_touching_the_outer_one() {
        let (store, sent) = store(&[]);
        let outcome = store.transaction(|tx| {
            work(tx)?;
            let nested = store.transaction(work);
            assert!(nested.is_err());
            Ok::<_, DbError>(())
        });
        assert_eq!(outcome, Ok(()));
        assert_eq!(
            *sent.borrow(),
            ["BEGIN IMMEDIATE", "UPDATE t SET x = 1", "COMMIT"]
        );
        // The guard is released: the next transaction runs.
        assert_eq!(store.transaction(work), Ok(()));
    }
}
