//! Password policy (what may be chosen) and password hashing (how it is kept).

mod common;
pub mod hash;

use super::Invalid;
use unicode_normalization::UnicodeNormalization;

const MIN_CHARS: usize = 8;
const MAX_CHARS: usize = 256;
/// Parts of an identity shorter than this are too common to forbid inside a password.
const MIN_IDENTITY_PART: usize = 3;

/// A password that passed the policy, NFKC-normalised so that the same text typed on another keyboard
/// hashes the same. Never printed.
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password([redacted])")
    }
}

/// What a new password must not be built from.
#[derive(Default)]
pub struct Identity<'a> {
    pub username: Option<&'a str>,
    pub email_local_part: Option<&'a str>,
}

impl Password {
    /// Applies the policy: 8-256 characters after NFKC, not a common password, not built from the identity.
    pub fn parse(input: &str, identity: &Identity<'_>) -> Result<Self, Invalid> {
        if super::text::has_control(input) {
            return Err(Invalid::new(
                "control_character",
                "password must not contain control characters",
            ));
        }
        let normalized: String = input.nfkc().collect();
        let chars = normalized.chars().count();
        if chars < MIN_CHARS {
            return Err(Invalid::new(
                "password_too_short",
                "password must be at least 8 characters",
            ));
        }
        if chars > MAX_CHARS {
            return Err(Invalid::new(
                "password_too_long",
                "password must be at most 256 characters",
            ));
        }
        let lowered = normalized.to_lowercase();
        if common::contains(&lowered) {
            return Err(Invalid::new(
                "password_too_common",
                "this password is one of the most common passwords; choose another",
            ));
        }
        if contains_part(&lowered, identity.username) {
            return Err(Invalid::new(
                "password_contains_username",
                "password must not contain the username",
            ));
        }
        if contains_part(&lowered, identity.email_local_part) {
            return Err(Invalid::new(
                "password_contains_email",
                "password must not contain the email address",
            ));
        }
        Ok(Self(normalized))
    }

    /// A password typed at login: normalised the same way, but the policy is not applied, so that
    /// accounts created under an older policy can still sign in.
    pub fn for_login(input: &str) -> Self {
        Self(input.nfkc().collect())
    }

    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

fn contains_part(lowered_password: &str, part: Option<&str>) -> bool {
    part.map(str::to_lowercase)
        .is_some_and(|p| p.chars().count() >= MIN_IDENTITY_PART && lowered_password.contains(&p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(input: &str, identity: &Identity<'_>) -> &'static str {
        Password::parse(input, identity).unwrap_err().code
    }

    #[test]
    fn accepts_a_long_uncommon_password() {
        assert!(Password::parse("correct horse battery staple", &Identity::default()).is_ok());
    }

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        let none = Identity::default();
        assert_eq!(code("пароль1", &none), "password_too_short");
        assert!(Password::parse("жёлтыйкот", &none).is_ok());
        assert_eq!(code("long enough\u{0}secret", &none), "control_character");
        assert!(Password::parse(&"ж".repeat(256), &none).is_ok());
        assert_eq!(code(&"ж".repeat(257), &none), "password_too_long");
        assert_eq!(code(&"a".repeat(7), &none), "password_too_short");
    }

    #[test]
    fn normalises_compatibility_forms_before_counting_and_hashing() {
        let full_width = Password::parse("ｓｅｃｒｅｔ－ｔｉｇｅｒ", &Identity::default()).unwrap();
        let ascii = Password::parse("secret-tiger", &Identity::default()).unwrap();
        assert_eq!(full_width.as_bytes(), ascii.as_bytes());
    }

    #[test]
    fn refuses_common_passwords_whatever_their_case() {
        let none = Identity::default();
        for common in [
            "password",
            "Password1",
            "QWERTYUIOP",
            "12345678",
            "iloveyou",
        ] {
            assert_eq!(code(common, &none), "password_too_common", "{common}");
        }
    }

    #[test]
    fn refuses_passwords_built_from_the_username_or_email() {
        let identity = Identity {
            username: Some("Marvin42"),
            email_local_part: Some("paranoid.android"),
        };
        assert_eq!(
            code("xx-marvin42-xx", &identity),
            "password_contains_username"
        );
        assert_eq!(code("MARVIN42", &identity), "password_contains_username");
        assert_eq!(
            code("my paranoid.android pw", &identity),
            "password_contains_email"
        );
        assert!(Password::parse("marvin-the-robot", &identity).is_ok());
    }

    #[test]
    fn very_short_identity_parts_are_not_forbidden() {
        let identity = Identity {
            username: None,
            email_local_part: Some("jo"),
        };
        assert!(Password::parse("enjoy the journey", &identity).is_ok());
    }

    #[test]
    fn debug_output_never_shows_the_password() {
        let password = Password::for_login("hunter2-secret");
        assert!(!format!("{password:?}").contains("hunter2"));
    }
}
