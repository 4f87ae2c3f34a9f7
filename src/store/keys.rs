use super::{DbError, Reader, Row, Store, Value};

/// The generated signing key as stored: used only when no `jwt_private_key` is configured.
pub struct StoredKey {
    pub kid: String,
    pub private_key: String,
    pub public_x: String,
}

/// The columns `StoredKey::try_from` reads, in its order.
pub const COLUMNS: &str = "kid, private_key, public_x";

impl TryFrom<&Row> for StoredKey {
    type Error = DbError;

    fn try_from(row: &Row) -> Result<Self, DbError> {
        Ok(StoredKey {
            kid: row.text(0)?,
            private_key: row.text(1)?,
            public_x: row.text(2)?,
        })
    }
}

const SLOT: &str = "generated";

impl Reader {
    pub fn generated_key(&self) -> Result<Option<StoredKey>, DbError> {
        self.record(
            &format!("SELECT {COLUMNS} FROM signing_keys WHERE slot = $1"),
            &[SLOT.into()],
        )
    }
}

impl Store {
    /// Keeps `key` unless another instance stored one first; returns whichever key won.
    pub fn store_generated_key(&self, key: &StoredKey, now: i64) -> Result<StoredKey, DbError> {
        self.query(
            "INSERT INTO signing_keys (slot, kid, private_key, public_x, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            &[
                SLOT.into(),
                key.kid.as_str().into(),
                key.private_key.as_str().into(),
                key.public_x.as_str().into(),
                Value::Int(now),
            ],
        )?;
        self.generated_key()?
            .ok_or_else(|| DbError::Query("generated key vanished after insert".to_owned()))
    }
}
