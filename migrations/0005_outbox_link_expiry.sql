-- When the link in a mail stops working: such a mail is never sent after that, and its body (the
-- plaintext link) is dropped then at the latest. NULL for mail without a link and for events.

ALTER TABLE outbox ADD COLUMN expires_at BIGINT;
