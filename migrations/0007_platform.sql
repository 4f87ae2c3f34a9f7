-- Accounts an admin disabled (sign-in refused, sessions ended) and when each account last signed in,
-- for the admin API.

ALTER TABLE users ADD COLUMN disabled_at BIGINT;
ALTER TABLE users ADD COLUMN disabled_reason TEXT;
ALTER TABLE users ADD COLUMN last_login_at BIGINT;
