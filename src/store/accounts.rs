//! Accounts as the admin API sees them: full profiles, search with keyset pagination, disabling
//! and the admin role.

use super::{DbError, Reader, Row, Tx, Value};
use crate::domain::ids::UserId;

/// A full profile with its status, for admins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: UserId,
    pub email: String,
    pub username: String,
    pub email_verified: bool,
    pub is_admin: bool,
    pub created_at: i64,
    pub last_login_at: Option<i64>,
    pub disabled_at: Option<i64>,
    pub disabled_reason: Option<String>,
}

/// One page of the admin list: newest accounts first (ids are time-ordered).
pub struct Page<'a> {
    /// A lower-cased prefix of the email or username; `None` lists everyone.
    pub prefix: Option<&'a str>,
    /// Only accounts older than this id (the last id of the previous page).
    pub before: Option<&'a UserId>,
    pub limit: i64,
}

/// The columns `Account::try_from` reads, in its order.
const COLUMNS: &str = "id, email, username, email_verified, is_admin, created_at, last_login_at, \
                       disabled_at, disabled_reason";

impl TryFrom<&Row> for Account {
    type Error = DbError;

    fn try_from(row: &Row) -> Result<Self, DbError> {
        Ok(Account {
            id: row.user_id(0)?,
            email: row.text(1)?,
            username: row.text(2)?,
            email_verified: row.bool(3)?,
            is_admin: row.bool(4)?,
            created_at: row.int(5)?,
            last_login_at: row.opt_int(6)?,
            disabled_at: row.opt_int(7)?,
            disabled_reason: row.opt_text(8)?,
        })
    }
}

/// `LIKE` treats `%` and `_` as wildcards: a typed prefix matches only itself.
pub fn like_prefix(prefix: &str) -> String {
    let mut pattern = String::with_capacity(prefix.len() + 1);
    for c in prefix.chars() {
        if matches!(c, '\\' | '%' | '_') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

impl Reader {
    pub fn account(&self, id: &UserId) -> Result<Option<Account>, DbError> {
        self.record(
            &format!("SELECT {COLUMNS} FROM users WHERE id = $1 AND deleted_at IS NULL"),
            &[id.into()],
        )
    }

    /// Sessions of the account that are neither revoked nor expired.
    pub fn live_session_count(&self, user_id: &UserId, now: i64) -> Result<i64, DbError> {
        self.query_row(
            "SELECT COUNT(*) FROM sessions WHERE user_id = $1 AND revoked_at IS NULL \
             AND expires_at > $2",
            &[user_id.into(), Value::Int(now)],
        )?
        .int(0)
    }

    /// Up to `limit` accounts of the page, newest first.
    pub fn accounts(&self, page: &Page<'_>) -> Result<Vec<Account>, DbError> {
        // Deleted accounts are anonymous tombstones: nothing to administer.
        let mut conditions = vec!["deleted_at IS NULL".to_owned()];
        let mut params = Vec::new();
        // Conditions are added only when used: every bound parameter appears in the SQL.
        if let Some(prefix) = page.prefix {
            params.push(Value::from(like_prefix(prefix)));
            let n = params.len();
            conditions.push(format!(
                "(email_normalized LIKE ${n} ESCAPE '\\' OR username_normalized LIKE ${n} ESCAPE '\\')"
            ));
        }
        if let Some(before) = page.before {
            params.push(Value::from(before));
            conditions.push(format!("id < ${}", params.len()));
        }
        params.push(Value::Int(page.limit));
        let filter = format!("WHERE {}", conditions.join(" AND "));
        let sql = format!(
            "SELECT {COLUMNS} FROM users {filter} ORDER BY id DESC LIMIT ${}",
            params.len()
        );
        self.records(&sql, &params)
    }
}

impl Tx<'_> {
    /// Disables a live account. `false` if there is no such account or it is disabled already.
    pub fn disable_account(&self, id: &UserId, reason: &str, now: i64) -> Result<bool, DbError> {
        Ok(!self
            .query(
                "UPDATE users SET disabled_at = $2, disabled_reason = $3, updated_at = $2 \
                 WHERE id = $1 AND disabled_at IS NULL RETURNING id",
                &[id.into(), Value::Int(now), reason.into()],
            )?
            .is_empty())
    }

    /// Enables a disabled account. `false` if there is no such account or it is not disabled.
    pub fn enable_account(&self, id: &UserId, now: i64) -> Result<bool, DbError> {
        Ok(!self
            .query(
                "UPDATE users SET disabled_at = NULL, disabled_reason = NULL, updated_at = $2 \
                 WHERE id = $1 AND disabled_at IS NOT NULL RETURNING id",
                &[id.into(), Value::Int(now)],
            )?
            .is_empty())
    }

    /// Sets the admin role. `false` if there is no such account or it already had that role.
    pub fn set_admin(&self, id: &UserId, is_admin: bool, now: i64) -> Result<bool, DbError> {
        Ok(!self
            .query(
                "UPDATE users SET is_admin = $2, updated_at = $3 WHERE id = $1 AND is_admin <> $2 \
                 RETURNING id",
                &[id.into(), Value::Bool(is_admin), Value::Int(now)],
            )?
            .is_empty())
    }

    /// Admins whose accounts are not disabled, counted with their rows held for the transaction,
    /// so that two admins stepping down together cannot both be "not the last".
    pub fn lock_active_admins(&self) -> Result<i64, DbError> {
        let sql = format!(
            "SELECT id FROM users WHERE is_admin = $1 AND disabled_at IS NULL{}",
            self.lock_rows()
        );
        let rows = self.query(&sql, &[Value::Bool(true)])?;
        Ok(i64::try_from(rows.len()).unwrap_or(i64::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::like_prefix;

    #[test]
    fn wildcards_in_a_prefix_match_only_themselves() {
        assert_eq!(like_prefix("ann"), "ann%");
        assert_eq!(like_prefix("a_b%c\\"), "a\\_b\\%c\\\\%");
        assert_eq!(like_prefix(""), "%");
    }
}
