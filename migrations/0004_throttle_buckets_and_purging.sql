-- Login throttling as leaky buckets (one per identifier tried and client network, one per account
-- across networks), replacing the consecutive-failure counts; indexes for purging expired rows.
-- `tat` is the instant at which the bucket will be empty again (Unix seconds).

DROP TABLE login_failures;

CREATE TABLE login_throttle (
    subject TEXT NOT NULL,
    network TEXT NOT NULL,
    tat     BIGINT NOT NULL,
    PRIMARY KEY (subject, network)
);

CREATE INDEX login_throttle_by_tat ON login_throttle (tat);

CREATE INDEX rate_limits_by_window ON rate_limits (window_start);

CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- When the session last refreshed (shown to its owner; the refresh also holds the row).
ALTER TABLE sessions ADD COLUMN last_used_at BIGINT;

CREATE INDEX one_time_tokens_by_expiry ON one_time_tokens (expires_at);

CREATE INDEX outbox_by_delivery ON outbox (state, delivered_at);
