-- Consecutive login failures per account (or per unknown identifier) and per-address request
-- counters. Shared by every replica through the database.

CREATE TABLE login_failures (
    account_key  TEXT PRIMARY KEY,
    failures     BIGINT NOT NULL,
    locked_until BIGINT,
    updated_at   BIGINT NOT NULL
);

CREATE TABLE rate_limits (
    bucket       TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    hits         BIGINT NOT NULL
);
