//! The transactional outbox: mail and events written with the change that causes them, claimed
//! with a lease for delivery, and kept (without mail bodies) once delivered or dead. A mail whose
//! link has expired is never sent: it is marked dead and its body dropped.

use super::{DbError, Reader, Row, Store, Tx, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Mail,
    Event,
    /// A revoked session to drop from the key-value session cache (`/verify`'s fast path).
    Revocation,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Mail => "mail",
            Kind::Event => "event",
            Kind::Revocation => "revocation",
        }
    }

    fn parse(text: &str) -> Result<Self, DbError> {
        match text {
            "mail" => Ok(Kind::Mail),
            "event" => Ok(Kind::Event),
            "revocation" => Ok(Kind::Revocation),
            other => Err(DbError::Decode(format!("unknown outbox kind {other:?}"))),
        }
    }
}

/// A message to deliver: a mail for the relay, an event for the broker, or a revoked session to
/// drop from the key-value session cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Also the mail's `Idempotency-Key` and the event's `message_id`.
    pub id: String,
    pub kind: Kind,
    /// The mail's template name, the event's routing key, or the revoked session's id.
    pub topic: String,
    /// JSON, ready to send.
    pub payload: String,
    /// When the message stops mattering: the mail's link expires, or every access token of the
    /// revoked session has expired. `None` for mail without a link and for events.
    pub expires_at: Option<i64>,
}

impl Message {
    /// The same message, not to be sent from `at` on.
    pub fn expiring(self, at: i64) -> Self {
        Self {
            expires_at: Some(at),
            ..self
        }
    }
}

/// A message this instance holds the lease on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub message: Message,
    /// Tries so far, this one included.
    pub attempts: u32,
    /// The lease, which is also the fencing token for recording the outcome.
    pub lease_until: i64,
}

/// Counts by state, for `GET /admin/outbox`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub pending: i64,
    pub leased: i64,
    pub delivered: i64,
    pub dead: i64,
}

/// Rows per `INSERT`: five parameters each, far below SQLite's 32,766 and PostgreSQL's 65,535.
const ROWS_PER_INSERT: usize = 500;

const DUE: &str = "state = 'pending' AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until <= $1) \
     AND (expires_at IS NULL OR expires_at > $1)";

/// The columns `Message::try_from` reads, in its order.
const MESSAGE_COLUMNS: &str = "id, kind, topic, payload, expires_at";

impl TryFrom<&Row> for Message {
    type Error = DbError;

    fn try_from(row: &Row) -> Result<Self, DbError> {
        Ok(Message {
            id: row.text(0)?,
            kind: Kind::parse(&row.text(1)?)?,
            topic: row.text(2)?,
            payload: row.opt_text(3)?.unwrap_or_default(),
            expires_at: row.opt_int(4)?,
        })
    }
}

/// A claimed message: its columns, then its attempts so far.
fn claimed(mut row: Row, lease_until: i64) -> Result<Claimed, DbError> {
    let attempts = row.split_off(5)?;
    Ok(Claimed {
        message: Message::try_from(&row)?,
        attempts: u32::try_from(attempts.int(0)?).unwrap_or(u32::MAX),
        lease_until,
    })
}

impl Tx<'_> {
    /// Writes messages as part of the caller's transaction. The first `leased` are leased to this
    /// request so that it can try them itself right after the commit (if it cannot, the lease runs
    /// out and a drain takes them); the rest are due at once for any drain. Written in statements
    /// of at most `ROWS_PER_INSERT` rows, well inside both backends' bind-parameter limits.
    pub fn enqueue(
        &self,
        messages: &[Message],
        now: i64,
        lease_until: i64,
        leased: usize,
    ) -> Result<(), DbError> {
        for (chunk_index, chunk) in messages.chunks(ROWS_PER_INSERT).enumerate() {
            let first = chunk_index.saturating_mul(ROWS_PER_INSERT);
            let mut sql = String::from(
                "INSERT INTO outbox (id, kind, topic, payload, expires_at, state, attempts, next_attempt_at, lease_until, created_at) VALUES ",
            );
            // PostgreSQL must see every parameter used: the lease is bound only if a row takes it.
            let mut params = vec![Value::Int(now)];
            let mut lease_param = None;
            for (i, m) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push_str(", ");
                }
                // A leased row counts the request's own try as its first attempt.
                let (attempts, lease) = if first + i < leased {
                    let n = *lease_param.get_or_insert_with(|| {
                        params.push(Value::Int(lease_until));
                        params.len()
                    });
                    ("1", format!("${n}"))
                } else {
                    ("0", "NULL".to_owned())
                };
                let n = params.len();
                sql.push_str(&format!(
                    "(${}, ${}, ${}, ${}, ${}, 'pending', {attempts}, $1, {lease}, $1)",
                    n + 1,
                    n + 2,
                    n + 3,
                    n + 4,
                    n + 5
                ));
                params.extend([
                    m.id.as_str().into(),
                    m.kind.as_str().into(),
                    m.topic.as_str().into(),
                    m.payload.as_str().into(),
                    m.expires_at.into(),
                ]);
            }
            self.query(&sql, &params)?;
        }
        Ok(())
    }
}

impl Reader {
    /// Whether any message is due: a cheap read before deciding to claim.
    pub fn outbox_has_due(&self, now: i64) -> Result<bool, DbError> {
        Ok(self
            .query_one(
                &format!("SELECT 1 FROM outbox WHERE {DUE} LIMIT 1"),
                &[Value::Int(now)],
            )?
            .is_some())
    }
}

impl Store {
    /// Takes up to `limit` due messages, oldest first, under a lease. The lease condition is checked
    /// again by the outer `UPDATE`, so two replicas claiming at once never get the same row.
    pub fn claim_due(
        &self,
        now: i64,
        lease_until: i64,
        limit: i64,
    ) -> Result<Vec<Claimed>, DbError> {
        let rows = self.query(
            &format!(
                "UPDATE outbox SET lease_until = $2, attempts = attempts + 1 \
                 WHERE id IN (SELECT id FROM outbox WHERE {DUE} ORDER BY id LIMIT $3) AND {DUE} \
                 RETURNING {MESSAGE_COLUMNS}, attempts"
            ),
            &[Value::Int(now), Value::Int(lease_until), Value::Int(limit)],
        )?;
        let mut claimed: Vec<Claimed> = rows
            .into_iter()
            .map(|r| claimed(r, lease_until))
            .collect::<Result<_, _>>()?;
        claimed.sort_by(|a, b| a.message.id.cmp(&b.message.id));
        Ok(claimed)
    }

    /// Records a delivery. Mail bodies are dropped: reset links must not linger. `false` if the lease
    /// was lost meanwhile (someone else holds the message now).
    pub fn mark_delivered(&self, claim: &Claimed, now: i64) -> Result<bool, DbError> {
        Ok(!self
            .query(
                "UPDATE outbox SET state = 'delivered', delivered_at = $3, lease_until = NULL, last_error = NULL, \
                 payload = CASE WHEN kind = 'mail' THEN NULL ELSE payload END \
                 WHERE id = $1 AND lease_until = $2 RETURNING id",
                &[claim.message.id.as_str().into(), Value::Int(claim.lease_until), Value::Int(now)],
            )?
            .is_empty())
    }

    /// Marks dead, without their bodies, the pending mails whose links have expired (unless a
    /// delivery holds one right now): sending them could only confuse, and the plaintext link
    /// must not outlive its use. Returns how many.
    pub fn expire_links(&self, now: i64) -> Result<usize, DbError> {
        Ok(self
            .query(
                "UPDATE outbox SET state = 'dead', payload = NULL, lease_until = NULL, \
                 last_error = 'the link expired before the mail could be delivered' \
                 WHERE state = 'pending' AND expires_at <= $1 AND (lease_until IS NULL OR lease_until <= $1) \
                 RETURNING id",
                &[Value::Int(now)],
            )?
            .len())
    }

    /// Records a failed try: back to pending with a later attempt time, or dead (a dead mail
    /// loses its body: nothing will send it again).
    pub fn mark_failed(
        &self,
        claim: &Claimed,
        next_attempt_at: i64,
        dead: bool,
        error: &str,
    ) -> Result<bool, DbError> {
        let state = if dead { "dead" } else { "pending" };
        Ok(!self
            .query(
                "UPDATE outbox SET state = $3, next_attempt_at = $4, lease_until = NULL, last_error = $5, \
                 payload = CASE WHEN kind = 'mail' AND $3 = 'dead' THEN NULL ELSE payload END \
                 WHERE id = $1 AND lease_until = $2 RETURNING id",
                &[
                    claim.message.id.as_str().into(),
                    Value::Int(claim.lease_until),
                    state.into(),
                    Value::Int(next_attempt_at),
                    error.into(),
                ],
            )?
            .is_empty())
    }

    /// Gives a claim back untried: the attempt it counted is undone.
    pub fn release(&self, claim: &Claimed) -> Result<(), DbError> {
        self.query(
            "UPDATE outbox SET lease_until = NULL, attempts = attempts - 1 WHERE id = $1 AND lease_until = $2",
            &[claim.message.id.as_str().into(), Value::Int(claim.lease_until)],
        )
        .map(drop)
    }
}

impl Reader {
    pub fn outbox_counts(&self, now: i64) -> Result<Counts, DbError> {
        let rows = self.query(
            "SELECT state, lease_until IS NOT NULL AND lease_until > $1, COUNT(*) FROM outbox GROUP BY 1, 2",
            &[Value::Int(now)],
        )?;
        let mut counts = Counts::default();
        for row in rows {
            let n = row.int(2)?;
            match (row.text(0)?.as_str(), row.bool(1)?) {
                ("pending", true) => counts.leased += n,
                ("pending", false) => counts.pending += n,
                ("delivered", _) => counts.delivered += n,
                ("dead", _) => counts.dead += n,
                (other, _) => {
                    return Err(DbError::Decode(format!("unknown outbox state {other:?}")));
                }
            }
        }
        Ok(counts)
    }
}

impl Tx<'_> {
    /// Drops the payload of every message whose text contains `needle` (mail to a deleted
    /// account's address, events carrying its profile): delivered rows keep only their
    /// bookkeeping, undelivered ones are never sent. Returns how many rows were scrubbed.
    pub fn scrub_outbox(&self, needle: &str) -> Result<usize, DbError> {
        let pattern = format!("%{}%", like_escape(needle));
        Ok(self
            .query(
                "UPDATE outbox SET payload = NULL, lease_until = NULL, \
                 last_error = CASE WHEN state = 'pending' THEN 'account deleted' ELSE last_error END, \
                 state = CASE WHEN state = 'pending' THEN 'dead' ELSE state END \
                 WHERE payload LIKE $1 ESCAPE '\\' RETURNING id",
                &[pattern.into()],
            )?
            .len())
    }
}

/// `text` matched literally by `LIKE ... ESCAPE '\'`.
fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
