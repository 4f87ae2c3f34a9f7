//! Which sign-in bucket an attempt counts in (see `lockout`): what was typed from one client
//! network, or an account across all of them. The store keeps a bucket under a subject string and
//! a network; this file is the one place that spells them.

use super::ids::UserId;
use super::{email, username};

/// What a login attempt is throttled by: the identifier as typed (normalised), never the account
/// it resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identifier {
    Email(String),
    Username(String),
}

impl Identifier {
    /// The identifier a client typed as an email, in its lookup form.
    pub fn email(typed: &str) -> Self {
        Self::Email(email::normalize(typed))
    }

    /// The identifier a client typed as a username, in its lookup form.
    pub fn username(typed: &str) -> Self {
        Self::Username(username::normalize(typed))
    }
}

/// What a bucket counts: attempts with an identifier, or an account's wrong passwords.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Typed(Identifier),
    Account(UserId),
}

impl Subject {
    /// Every subject that counts against an account: its address and username as they would be
    /// typed, and the account itself.
    pub fn of_account(email: &str, username: &str, user_id: &UserId) -> Vec<Self> {
        vec![
            Self::Typed(Identifier::email(email)),
            Self::Typed(Identifier::username(username)),
            Self::Account(user_id.clone()),
        ]
    }

    /// The subject as the store keeps it.
    pub fn key(&self) -> String {
        match self {
            Self::Typed(Identifier::Email(email)) => format!("email:{email}"),
            Self::Typed(Identifier::Username(username)) => format!("username:{username}"),
            Self::Account(user_id) => format!("account:{user_id}"),
        }
    }
}

/// One bucket: a subject on one client network. An account's ceiling spans every network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketKey {
    pub subject: Subject,
    network: String,
}

impl BucketKey {
    /// Attempts with `identifier` from `network`.
    pub fn per_network(identifier: &Identifier, network: &str) -> Self {
        Self {
            subject: Subject::Typed(identifier.clone()),
            network: network.to_owned(),
        }
    }

    /// The account's run of wrong passwords, from anywhere.
    pub fn ceiling(user_id: &UserId) -> Self {
        Self {
            subject: Subject::Account(user_id.clone()),
            network: String::new(),
        }
    }

    /// The network as the store keeps it: empty for a bucket that spans every network.
    pub fn network(&self) -> &str {
        &self.network
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_email_the_username_and_the_account_are_separate_subjects() {
        assert_eq!(
            Subject::Typed(Identifier::email("Kate@Example.com")).key(),
            "email:kate@example.com"
        );
        assert_eq!(
            Subject::Typed(Identifier::username(" Kate")).key(),
            "username:kate"
        );
        assert_eq!(
            Subject::Account(UserId::trusted("u1".into())).key(),
            "account:u1"
        );
    }

    #[test]
    fn the_ceiling_spans_every_network_and_a_typed_bucket_one() {
        assert_eq!(
            BucketKey::ceiling(&UserId::trusted("u1".into())).network(),
            ""
        );
        let typed = BucketKey::per_network(&Identifier::email("k@example.com"), "203.0.113.0/24");
        assert_eq!(typed.network(), "203.0.113.0/24");
        assert_eq!(typed.subject.key(), "email:k@example.com");
    }

    #[test]
    fn an_account_counts_under_its_address_its_username_and_itself() {
        let keys: Vec<String> =
            Subject::of_account("Kate@Example.com", "Kate", &UserId::trusted("u1".into()))
                .iter()
                .map(Subject::key)
                .collect();
        assert_eq!(
            keys,
            ["email:kate@example.com", "username:kate", "account:u1"]
        );
    }
}
