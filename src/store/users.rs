use super::{DbError, Reader, Row, Tx, Value};
use crate::domain::ids::UserId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub username: String,
    pub password_hash: String,
    pub email_verified: bool,
    pub is_admin: bool,
    pub created_at: i64,
    /// Set while an admin keeps the account disabled.
    pub disabled_at: Option<i64>,
}

pub struct NewUser<'a> {
    pub id: &'a UserId,
    pub email: &'a str,
    pub email_normalized: &'a str,
    pub username: &'a str,
    pub username_normalized: &'a str,
    pub password_hash: &'a str,
    pub now: i64,
}

/// The outcome of changing a unique field of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changed {
    Yes,
    /// Another account holds the value.
    Taken,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    Yes,
    EmailTaken,
    UsernameTaken,
}

/// The columns `User::try_from` reads, in its order.
pub const COLUMNS: &str =
    "id, email, username, password_hash, email_verified, is_admin, created_at, disabled_at";

impl TryFrom<&Row> for User {
    type Error = DbError;

    fn try_from(row: &Row) -> Result<Self, DbError> {
        Ok(User {
            id: row.user_id(0)?,
            email: row.text(1)?,
            username: row.text(2)?,
            password_hash: row.text(3)?,
            email_verified: row.bool(4)?,
            is_admin: row.bool(5)?,
            created_at: row.int(6)?,
            disabled_at: row.opt_int(7)?,
        })
    }
}

impl Reader {
    pub fn user_by_email(&self, email_normalized: &str) -> Result<Option<User>, DbError> {
        self.user_where("email_normalized", email_normalized)
    }

    pub fn user_by_username(&self, username_normalized: &str) -> Result<Option<User>, DbError> {
        self.user_where("username_normalized", username_normalized)
    }

    pub fn user_by_id(&self, id: &UserId) -> Result<Option<User>, DbError> {
        self.user_where("id", id.as_str())
    }

    fn user_where(&self, column: &'static str, value: &str) -> Result<Option<User>, DbError> {
        self.record(
            &format!("SELECT {COLUMNS} FROM users WHERE {column} = $1 AND deleted_at IS NULL"),
            &[value.into()],
        )
    }
}

impl Tx<'_> {
    /// Inserts unless the email or username is taken. Safe under concurrency: the unique indexes decide,
    /// and a refused insert is reported as the conflict it was, never as an error.
    pub fn insert_user(&self, new: &NewUser<'_>) -> Result<Inserted, DbError> {
        let inserted = self.query(
            "INSERT INTO users (id, email, email_normalized, username, username_normalized, \
             password_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
             ON CONFLICT DO NOTHING RETURNING id",
            &[
                new.id.into(),
                new.email.into(),
                new.email_normalized.into(),
                new.username.into(),
                new.username_normalized.into(),
                new.password_hash.into(),
                Value::Int(new.now),
            ],
        )?;
        if !inserted.is_empty() {
            return Ok(Inserted::Yes);
        }
        let email_taken = self
            .query_one(
                "SELECT 1 FROM users WHERE email_normalized = $1",
                &[new.email_normalized.into()],
            )?
            .is_some();
        Ok(if email_taken {
            Inserted::EmailTaken
        } else {
            Inserted::UsernameTaken
        })
    }

    /// Locks the user's row until the transaction ends, so that read-then-write rules about one
    /// user (the hourly cap on reset mails) see each other's writes. `false` if there is no such user.
    pub fn lock_user(&self, id: &UserId) -> Result<bool, DbError> {
        let sql = format!("SELECT id FROM users WHERE id = $1{}", self.lock_rows());
        Ok(self.query_one(&sql, &[id.into()])?.is_some())
    }

    pub fn set_password_hash(&self, user_id: &UserId, hash: &str, now: i64) -> Result<(), DbError> {
        self.query(
            "UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1",
            &[user_id.into(), hash.into(), Value::Int(now)],
        )
        .map(drop)
    }

    /// Holds the account's row for this transaction if its password hash is still `verified` and
    /// no admin disabled it meanwhile, recording the sign-in time and replacing the hash with
    /// `replacement` (a re-hash) when given. `false` when the password changed since it was checked
    /// (a concurrent reset wins) or the account was disabled: the login must not go on. The update
    /// also makes a concurrent reset or disabling wait for this transaction on PostgreSQL.
    pub fn hold_credential(
        &self,
        user_id: &UserId,
        verified: &str,
        replacement: Option<&str>,
        now: i64,
    ) -> Result<bool, DbError> {
        let held = match replacement {
            Some(new_hash) => self.query(
                "UPDATE users SET password_hash = $3, updated_at = $4, last_login_at = $4 \
                 WHERE id = $1 AND password_hash = $2 AND disabled_at IS NULL RETURNING id",
                &[
                    user_id.into(),
                    verified.into(),
                    new_hash.into(),
                    Value::Int(now),
                ],
            )?,
            None => self.query(
                "UPDATE users SET last_login_at = $3 WHERE id = $1 AND password_hash = $2 \
                 AND disabled_at IS NULL RETURNING id",
                &[user_id.into(), verified.into(), Value::Int(now)],
            )?,
        };
        Ok(!held.is_empty())
    }

    /// Sets a new, verified address unless another account holds it (the caller holds the row).
    pub fn change_email(
        &self,
        user_id: &UserId,
        email: &str,
        email_normalized: &str,
        now: i64,
    ) -> Result<Changed, DbError> {
        let changed = self.query_unless_taken(
            "UPDATE users SET email = $2, email_normalized = $3, email_verified = TRUE, \
             updated_at = $4 WHERE id = $1 AND deleted_at IS NULL AND NOT EXISTS (\
             SELECT 1 FROM users other WHERE other.email_normalized = $3 AND other.id <> $1) \
             RETURNING id",
            &[
                user_id.into(),
                email.into(),
                email_normalized.into(),
                Value::Int(now),
            ],
        )?;
        Ok(match changed {
            Some(rows) if !rows.is_empty() => Changed::Yes,
            _ => Changed::Taken,
        })
    }

    /// A change of a unique column: `None` when the unique index refused it. The statement's own
    /// check covers the usual case; the index catches two accounts claiming a name at the same
    /// instant (PostgreSQL), which must be the same 409, not an error.
    fn query_unless_taken(&self, sql: &str, params: &[Value]) -> Result<Option<Vec<Row>>, DbError> {
        match self.query(sql, params) {
            Ok(rows) => Ok(Some(rows)),
            Err(e) if self.is_unique_violation(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Sets a new username unless another account holds it (the caller holds the row).
    pub fn change_username(
        &self,
        user_id: &UserId,
        username: &str,
        username_normalized: &str,
        now: i64,
    ) -> Result<Changed, DbError> {
        let changed = self.query_unless_taken(
            "UPDATE users SET username = $2, username_normalized = $3, updated_at = $4 \
             WHERE id = $1 AND deleted_at IS NULL AND NOT EXISTS (\
             SELECT 1 FROM users other WHERE other.username_normalized = $3 AND other.id <> $1) \
             RETURNING id",
            &[
                user_id.into(),
                username.into(),
                username_normalized.into(),
                Value::Int(now),
            ],
        )?;
        Ok(match changed {
            Some(rows) if !rows.is_empty() => Changed::Yes,
            _ => Changed::Taken,
        })
    }

    /// Turns the account into an anonymous tombstone: the id stays (events and foreign keys keep
    /// pointing at it), every personal field goes. The unique columns get a placeholder derived from
    /// the id, which no address (it has no `@`) or username (no `:`) can equal, so the email and
    /// username are free for new accounts. `false` if there was no live account.
    pub fn tombstone_user(&self, user_id: &UserId, now: i64) -> Result<bool, DbError> {
        Ok(!self
            .query(
                "UPDATE users SET email = '', email_normalized = 'deleted:' || id, username = '', \
                 username_normalized = 'deleted:' || id, password_hash = '', \
                 email_verified = FALSE, is_admin = FALSE, deleted_at = $2, updated_at = $2 \
                 WHERE id = $1 AND deleted_at IS NULL RETURNING id",
                &[user_id.into(), Value::Int(now)],
            )?
            .is_empty())
    }
}
