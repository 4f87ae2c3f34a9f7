-- Account self-service: deleted accounts kept as anonymous tombstones, where each session signed
-- in from, the new address an email-change link is for, and the account's own history for export.

ALTER TABLE users ADD COLUMN deleted_at BIGINT;

ALTER TABLE sessions ADD COLUMN client_addr TEXT;

ALTER TABLE sessions ADD COLUMN user_agent TEXT;

ALTER TABLE one_time_tokens ADD COLUMN new_email TEXT;

CREATE TABLE account_events (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    client_addr TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE INDEX account_events_by_user ON account_events (user_id, created_at);

CREATE INDEX account_events_by_time ON account_events (created_at);
