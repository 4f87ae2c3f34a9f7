-- PostgreSQL only: the hot statements as functions, whose plans each pooled connection keeps (see
-- src/store/routine.rs). Each body is the statement SQLite runs as written; a unit test holds them
-- to the same text.

CREATE OR REPLACE FUNCTION refresh_lookup(TEXT, TEXT, BIGINT, TEXT, BIGINT)
RETURNS TABLE (
    schema_version BIGINT, recent_refreshes BIGINT,
    token_session_id TEXT, session_user_id TEXT, token_rotated_at BIGINT, token_grace_used BOOLEAN,
    session_expires_at BIGINT, session_revoked BOOLEAN,
    key_kid TEXT, key_private_key TEXT, key_public_x TEXT,
    account_id TEXT, account_email TEXT, account_username TEXT, account_password_hash TEXT,
    account_email_verified BOOLEAN, account_is_admin BOOLEAN, account_created_at BIGINT,
    account_disabled_at BIGINT
)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY SELECT v.version,
        (SELECT COUNT(*) FROM (SELECT 1 FROM refresh_tokens r WHERE r.client_network = $2
        AND r.issued_at >= CAST($3 AS BIGINT) LIMIT CAST($5 AS BIGINT)) granted)
        + COALESCE((SELECT b.hits FROM rate_limits b WHERE b.bucket = $4
        AND b.window_start = CAST($3 AS BIGINT)), 0),
        t.session_id, s.user_id, t.rotated_at, t.grace_used, s.expires_at, s.revoked_at IS NOT NULL,
        k.kid, k.private_key, k.public_x,
        u.id, u.email, u.username, u.password_hash, u.email_verified, u.is_admin, u.created_at,
        u.disabled_at
        FROM (SELECT MAX(version) AS version FROM schema_migrations) v
        LEFT JOIN refresh_tokens t ON t.token_hash = $1
        LEFT JOIN sessions s ON s.id = t.session_id
        LEFT JOIN users u ON u.id = s.user_id
        LEFT JOIN signing_keys k ON k.slot = 'generated';
END
$$;

CREATE OR REPLACE FUNCTION rotate_refresh_token(TEXT, TEXT, TEXT, BIGINT, TEXT)
RETURNS BIGINT
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    written BIGINT;
BEGIN
    WITH rotation AS (
        INSERT INTO refresh_tokens (token_hash, session_id, issued_at, client_network)
        SELECT v.token_hash, $3, CAST($4 AS BIGINT), $5
        FROM (SELECT $1 AS token_hash UNION ALL SELECT $2) v
        WHERE EXISTS (SELECT 1 FROM refresh_tokens c WHERE c.token_hash = $1
        AND c.session_id = $3 AND c.rotated_at IS NULL)
        AND EXISTS (SELECT 1 FROM sessions s WHERE s.id = $3 AND s.revoked_at IS NULL
        AND s.expires_at > CAST($4 AS BIGINT) FOR UPDATE)
        ON CONFLICT (token_hash) DO UPDATE SET rotated_at = CAST($4 AS BIGINT)
        WHERE refresh_tokens.token_hash = $1 AND refresh_tokens.rotated_at IS NULL
        RETURNING token_hash
    )
    SELECT COUNT(*) INTO written FROM rotation;
    RETURN written;
END
$$;
