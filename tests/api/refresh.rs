use crate::backend_tests;
use auth_test_support::app::Tokens;
use std::time::Duration;

backend_tests! {
    async fn refreshing_rotates_the_refresh_token(app) {
        let (_, first) = app.logged_in_user().await;
        let response = app.refresh(&first.refresh).await;
        assert_eq!(response.status, 200, "{}", response.text());
        assert_eq!(response.header("cache-control"), Some("no-store"));
        let second = Tokens::from(&response);
        assert_ne!(second.refresh, first.refresh);
        assert_ne!(second.access, first.access);
        assert_eq!(app.verify(&second.access).await.status, 200);
        // The successor rotates in turn; the chain goes on.
        let third = app.refresh(&second.refresh).await;
        assert_eq!(third.status, 200);
        let body = response.json();
        for field in ["access_token", "token_type", "expires_in", "refresh_token", "refresh_expires_in"] {
            assert!(!body[field].is_null(), "{field}");
        }
    }

    async fn a_rotated_token_is_honoured_once_more_inside_the_grace_window(app) {
        let (_, first) = app.logged_in_user().await;
        let second = Tokens::from(&app.refresh(&first.refresh).await);
        // Another tab still had the first token and refreshes with it moments later.
        app.clock.advance(Duration::from_secs(3));
        let again = app.refresh(&first.refresh).await;
        assert_eq!(again.status, 200, "{}", again.text());
        let sibling = Tokens::from(&again);
        // The same successor: the session keeps one line of refresh tokens.
        assert_eq!(sibling.refresh, second.refresh);
        // Both tabs are signed in.
        assert_eq!(app.verify(&second.access).await.status, 200);
        assert_eq!(app.verify(&sibling.access).await.status, 200);
        assert_eq!(app.refresh(&sibling.refresh).await.status, 200);
    }

    async fn two_tabs_refreshing_the_same_token_at_once_both_stay_signed_in(app) {
        let (_, first) = app.logged_in_user().await;
        let (a, b) = tokio::join!(app.refresh(&first.refresh), app.refresh(&first.refresh));
        assert_eq!((a.status, b.status), (200, 200), "{} / {}", a.text(), b.text());
        assert_eq!(Tokens::from(&a).refresh, Tokens::from(&b).refresh);
        assert_eq!(app.verify(&Tokens::from(&a).access).await.status, 200);
        assert_eq!(app.verify(&Tokens::from(&b).access).await.status, 200);
    }

    async fn many_refreshes_of_one_token_at_once_never_fork_the_session(app) {
        let (_, first) = app.logged_in_user().await;
        let answers = futures::future::join_all((0..8).map(|_| app.refresh(&first.refresh))).await;
        // One rotates, one more may use the grace window, the rest are reuse (which ends the
        // session); whatever the interleaving, every token handed out is the same successor.
        let granted: Vec<String> = answers
            .iter()
            .filter(|r| r.status == 200)
            .map(|r| Tokens::from(r).refresh)
            .collect();
        assert!(!granted.is_empty(), "{:?}", answers.iter().map(|r| r.status).collect::<Vec<_>>());
        assert!(granted.iter().all(|t| *t == granted[0]), "the session forked");
        assert!(answers.iter().all(|r| [200, 401].contains(&r.status)));
        let rows = app.db_count("SELECT COUNT(*) FROM refresh_tokens").await;
        assert_eq!(rows, 2, "the first token and its one successor");
    }

    async fn a_replay_inside_the_grace_window_cannot_fork_the_session(app) {
        let (_, first) = app.logged_in_user().await;
        let second = Tokens::from(&app.refresh(&first.refresh).await);
        // A thief replays the first token in time: they get the token the owner already holds,
        // not a line of their own.
        let stolen = Tokens::from(&app.refresh(&first.refresh).await);
        assert_eq!(stolen.refresh, second.refresh);
        // Whoever rotates it first moves the line on; the other's use of it is a replay too.
        let third = Tokens::from(&app.refresh(&second.refresh).await);
        assert_eq!(Tokens::from(&app.refresh(&stolen.refresh).await).refresh, third.refresh);
        app.refresh(&stolen.refresh).await.assert_problem(401, "refresh_token_reused");
        app.refresh(&third.refresh).await.assert_problem(401, "invalid_grant");
        let live = app.db_rows("SELECT COUNT(*) FROM refresh_tokens WHERE rotated_at IS NULL").await;
        assert_eq!(live[0][0].as_deref(), Some("1"), "one line of tokens, ending in one current token");
    }

    async fn a_third_use_of_a_rotated_token_revokes_the_whole_session(app) {
        let (_, first) = app.logged_in_user().await;
        let second = Tokens::from(&app.refresh(&first.refresh).await);
        assert_eq!(app.refresh(&first.refresh).await.status, 200);
        let replay = app.refresh(&first.refresh).await;
        replay.assert_problem(401, "refresh_token_reused");
        // Every token of the session is dead, the newest successor included.
        app.refresh(&second.refresh).await.assert_problem(401, "invalid_grant");
        app.verify(&second.access).await.assert_problem(401, "invalid_token");
    }

    async fn replaying_a_rotated_token_after_the_grace_window_revokes_the_session(app) {
        let (_, first) = app.logged_in_user().await;
        let second = Tokens::from(&app.refresh(&first.refresh).await);
        app.clock.advance(Duration::from_secs(11));
        app.refresh(&first.refresh).await.assert_problem(401, "refresh_token_reused");
        app.refresh(&second.refresh).await.assert_problem(401, "invalid_grant");
        app.verify(&second.access).await.assert_problem(401, "invalid_token");
        let revoked = app.db_rows("SELECT revoked_reason FROM sessions").await;
        assert_eq!(revoked[0][0].as_deref(), Some("refresh_token_reused"));
    }

    async fn sessions_end_at_their_absolute_lifetime_however_often_they_rotate(app with [("refresh_token_ttl_seconds", "100")]) {
        let (_, mut tokens) = app.logged_in_user().await;
        for _ in 0..3 {
            app.clock.advance(Duration::from_secs(30));
            let response = app.refresh(&tokens.refresh).await;
            assert_eq!(response.status, 200, "{}", response.text());
            let left = response.json()["refresh_expires_in"].as_i64().unwrap();
            assert!(left <= 100 - 30 && left > 0, "rotation must not extend the session: {left}");
            assert!(response.json()["expires_in"].as_i64().unwrap() <= left, "access token outlives the session");
            tokens = Tokens::from(&response);
        }
        app.clock.advance(Duration::from_secs(11));
        app.refresh(&tokens.refresh).await.assert_problem(401, "invalid_grant");
    }

    async fn unknown_and_malformed_refresh_tokens_are_invalid_grants(app) {
        app.refresh("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").await.assert_problem(401, "invalid_grant");
        app.refresh("not a token").await.assert_problem(401, "invalid_grant");
        app.refresh("").await.assert_problem(401, "invalid_grant");
        let problem = app.post_json("/token/refresh", &serde_json::json!({})).await.assert_problem(400, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "refresh_token");
    }
}

backend_tests! {
    async fn without_a_grace_window_any_replay_is_reuse(app with [("refresh_reuse_grace_seconds", "0")]) {
        let (_, first) = app.logged_in_user().await;
        let second = Tokens::from(&app.refresh(&first.refresh).await);
        app.refresh(&first.refresh).await.assert_problem(401, "refresh_token_reused");
        app.refresh(&second.refresh).await.assert_problem(401, "invalid_grant");
    }
}

backend_tests! {
    async fn refreshes_from_one_address_are_limited_per_minute(app with [("rate_limit_refresh_per_minute", "3")]) {
        app.clock.freeze();
        let (_, tokens) = app.logged_in_user().await;
        let mut current = tokens.refresh;
        for _ in 0..2 {
            current = Tokens::from(&app.refresh(&current).await).refresh;
        }
        app.refresh("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").await.assert_problem(401, "invalid_grant");
        // Granted rotations count on the tokens they issued; only the refused one wrote a hit.
        let bucket = app.db_rows("SELECT hits FROM rate_limits WHERE bucket LIKE 'refresh:%'").await;
        assert_eq!(bucket, vec![vec![Some("1".to_owned())]]);
        let issued = app
            .db_rows("SELECT COUNT(*) FROM refresh_tokens WHERE client_network IS NOT NULL")
            .await;
        assert_eq!(issued, vec![vec![Some("2".to_owned())]]);
        let limited = app.refresh(&current).await;
        limited.assert_problem(429, "rate_limited");
        assert!(limited.header("retry-after").is_some());
    }
}
