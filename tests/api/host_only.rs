//! The one list of API tests that run on the test host alone, with why. Every other test declared
//! with `backend_tests!` also runs on each real Spin named by `AUTH_TEST_SPIN` (`auth_test_support::spin`).
//! Tests written as plain `#[tokio::test]` (start-up and manifest checks of the host itself, the
//! Schemathesis run) are host-only by construction.
//!
//! A test missing here that needs the host fails on Spin with a message pointing at this file
//! (the clock refuses to move, a changed manifest refuses to start).

use auth_test_support::runtime::Runtime;
use auth_test_support::spin;

const MOVES_THE_CLOCK: &str = "moves the wall clock (expiry, lockout, backoff) or freezes it";
const CONTROLS_THE_STORE: &str =
    "makes the host's key-value store fail or reads it directly (and moves the clock)";
const CHANGES_THE_MANIFEST: &str = "serves a changed spin.toml; `spin up` serves the repository's";
const SPIN_REFUSES_FIRST: &str =
    "Spin itself answers 500 to a header value that is not UTF-8, before any component runs";

const HOST_ONLY: &[(&str, &str)] = &[
    (
        "abuse::a_networks_bucket_leaks_one_attempt_every_three_minutes",
        MOVES_THE_CLOCK,
    ),
    (
        "abuse::unknown_accounts_are_throttled_exactly_like_known_ones",
        MOVES_THE_CLOCK,
    ),
    (
        "abuse::logins_from_one_address_are_limited_per_minute",
        MOVES_THE_CLOCK,
    ),
    (
        "abuse::registrations_resets_and_resends_are_limited_per_address",
        MOVES_THE_CLOCK,
    ),
    (
        "refresh::refreshes_from_one_address_are_limited_per_minute",
        MOVES_THE_CLOCK,
    ),
    (
        "session_cache::sessions_the_store_does_not_know_are_checked_in_the_database",
        CONTROLS_THE_STORE,
    ),
    (
        "session_cache::a_removal_that_fails_is_retried_through_the_outbox",
        CONTROLS_THE_STORE,
    ),
    (
        "session_cache::with_the_store_unreachable_verify_asks_the_database",
        CONTROLS_THE_STORE,
    ),
    (
        "session_cache::entries_of_expired_sessions_are_purged_with_them",
        CONTROLS_THE_STORE,
    ),
    (
        "sessions::the_drain_purges_rows_past_their_use_in_batches",
        MOVES_THE_CLOCK,
    ),
    (
        "audit::resets_verification_and_reuse_are_audited",
        MOVES_THE_CLOCK,
    ),
    (
        "email_verification::an_expired_or_unknown_verification_link_is_refused",
        MOVES_THE_CLOCK,
    ),
    (
        "events::a_missing_exchange_is_declared_and_unrouted_events_wait_for_a_queue",
        MOVES_THE_CLOCK,
    ),
    (
        "events::events_written_while_the_broker_is_down_are_delivered_once_it_is_back",
        MOVES_THE_CLOCK,
    ),
    (
        "hardening::header_values_that_are_not_utf8_are_refused_cleanly",
        SPIN_REFUSES_FIRST,
    ),
    (
        "outbox::a_link_that_expired_before_delivery_is_never_mailed",
        MOVES_THE_CLOCK,
    ),
    (
        "outbox::a_relay_that_refuses_connections_delays_mail_without_failing_the_request",
        MOVES_THE_CLOCK,
    ),
    (
        "outbox::a_relay_answering_500_gets_the_same_mail_again_with_the_same_idempotency_key",
        MOVES_THE_CLOCK,
    ),
    (
        "outbox::a_relay_that_times_out_is_tried_again_later",
        MOVES_THE_CLOCK,
    ),
    (
        "outbox::an_ordinary_request_drains_a_few_due_messages_on_its_way_out",
        MOVES_THE_CLOCK,
    ),
    (
        "outbox::concurrent_drains_deliver_each_message_once",
        MOVES_THE_CLOCK,
    ),
    (
        "outbox::a_message_that_keeps_failing_is_kept_as_dead",
        MOVES_THE_CLOCK,
    ),
    (
        "outbox::a_relay_outside_allowed_outbound_hosts_is_never_contacted",
        CHANGES_THE_MANIFEST,
    ),
    (
        "environment::a_variable_the_manifest_does_not_define_is_named_not_defaulted",
        CHANGES_THE_MANIFEST,
    ),
    (
        "password_reset::an_expired_link_is_refused",
        MOVES_THE_CLOCK,
    ),
    (
        "password_reset::at_most_three_reset_mails_per_account_per_hour",
        MOVES_THE_CLOCK,
    ),
    (
        "refresh::a_rotated_token_is_honoured_once_more_inside_the_grace_window",
        MOVES_THE_CLOCK,
    ),
    (
        "refresh::replaying_a_rotated_token_after_the_grace_window_revokes_the_session",
        MOVES_THE_CLOCK,
    ),
    (
        "refresh::sessions_end_at_their_absolute_lifetime_however_often_they_rotate",
        MOVES_THE_CLOCK,
    ),
    (
        "verify::an_expired_access_token_is_refused",
        MOVES_THE_CLOCK,
    ),
];

/// The real Spin runtimes a test (by its module path) runs on: none for a host-only test.
pub fn spin_runtimes(module_path: &str) -> Vec<Runtime> {
    let test = module_path
        .split_once("::")
        .map_or(module_path, |(_, rest)| rest);
    if HOST_ONLY.iter().any(|(name, _)| *name == test) {
        return Vec::new();
    }
    spin::clis().iter().map(Runtime::Spin).collect()
}

#[test]
fn every_listed_test_exists() {
    let sources: String = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api"))
        .expect("tests/api")
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .collect();
    for (name, _) in HOST_ONLY {
        let function = name.rsplit("::").next().unwrap_or(name);
        assert!(
            sources.contains(&format!("async fn {function}(")),
            "{name} is listed as host-only but no such test exists"
        );
    }
}
