-- Consecutive login failures per account (or per unknown identifier) and per-address request
-- counters. Shared by every replica through the database.

CREATE TABLE login_failures (
    account_key  TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    locked_until INTEGER,
    updated_at   INTEGER NOT NULL
);

CREATE TABLE rate_limits (
    bucket       TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    hits         INTEGER NOT NULL
);
