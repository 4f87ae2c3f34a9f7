-- A rotation records the client network on the token it issues, so that the per-address refresh
-- limit counts granted rotations from the tokens themselves: a granted refresh then writes one
-- statement, not a second one to the rate-limit table. Tokens issued at sign-in carry none.
ALTER TABLE refresh_tokens ADD COLUMN client_network TEXT;
CREATE INDEX refresh_tokens_by_network ON refresh_tokens (client_network, issued_at);
