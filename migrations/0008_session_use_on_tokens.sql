-- A session's last use is its last rotation, read from its refresh tokens: rotation then writes one
-- table in one statement.
ALTER TABLE sessions DROP COLUMN last_used_at;
