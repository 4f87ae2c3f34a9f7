//! The account's own history (sign-ins and changes, with times and client addresses), kept for
//! the owner's export and pruned after the configured retention.

use super::{DbError, Reader, Row, Tx, Value};
use crate::domain::ids::UserId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountEvent {
    pub kind: String,
    pub client_addr: String,
    pub created_at: i64,
}

impl TryFrom<&Row> for AccountEvent {
    type Error = DbError;

    fn try_from(row: &Row) -> Result<Self, DbError> {
        Ok(AccountEvent {
            kind: row.text(0)?,
            client_addr: row.text(1)?,
            created_at: row.int(2)?,
        })
    }
}

impl Tx<'_> {
    pub fn record_account_event(
        &self,
        id: &str,
        user_id: &UserId,
        kind: &str,
        client_addr: &str,
        now: i64,
    ) -> Result<(), DbError> {
        self.query(
            "INSERT INTO account_events (id, user_id, kind, client_addr, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
            &[
                id.into(),
                user_id.into(),
                kind.into(),
                client_addr.into(),
                Value::Int(now),
            ],
        )
        .map(drop)
    }

    pub fn delete_account_events(&self, user_id: &UserId) -> Result<(), DbError> {
        self.query(
            "DELETE FROM account_events WHERE user_id = $1",
            &[user_id.into()],
        )
        .map(drop)
    }
}

impl Reader {
    /// The user's events, oldest first (ids are time-ordered).
    pub fn account_events(&self, user_id: &UserId) -> Result<Vec<AccountEvent>, DbError> {
        self.records(
            "SELECT kind, client_addr, created_at FROM account_events WHERE user_id = $1 \
             ORDER BY created_at, id",
            &[user_id.into()],
        )
    }
}
