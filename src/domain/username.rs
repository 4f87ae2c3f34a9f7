use super::Invalid;

const MIN_LEN: usize = 3;
const MAX_LEN: usize = 32;

/// A public handle: 3-32 ASCII letters, digits, `_`, `.` or `-`, unique regardless of case.
///
/// ASCII only on purpose: look-alike letters from other scripts would let one user impersonate another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let len = input.chars().count();
        if !(MIN_LEN..=MAX_LEN).contains(&len) {
            return Err(Invalid::new(
                "invalid_username_length",
                "username must be 3 to 32 characters",
            ));
        }
        if !input
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        {
            return Err(Invalid::new(
                "invalid_username_characters",
                "username may contain only letters, digits, '_', '.' and '-'",
            ));
        }
        Ok(Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn normalized(&self) -> String {
        normalize(&self.0)
    }
}

/// The lookup form of any string a client sends as a username.
pub fn normalize(input: &str) -> String {
    input.trim().to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_letters_digits_and_the_three_marks() {
        let name = Username::parse("Alice_01.x-y").unwrap();
        assert_eq!(name.as_str(), "Alice_01.x-y");
        assert_eq!(name.normalized(), "alice_01.x-y");
    }

    #[test]
    fn length_bounds_are_inclusive() {
        assert!(Username::parse("abc").is_ok());
        assert!(Username::parse(&"a".repeat(32)).is_ok());
        assert_eq!(
            Username::parse("ab").unwrap_err().code,
            "invalid_username_length"
        );
        assert_eq!(
            Username::parse(&"a".repeat(33)).unwrap_err().code,
            "invalid_username_length"
        );
    }

    #[test]
    fn refuses_spaces_symbols_and_other_scripts() {
        for bad in [
            "al ice",
            "alice!",
            "al@ce",
            "аlice",
            "bob\n",
            "名前です",
            "\u{212A}ate",
            "ka\u{200B}te",
            "kate\u{202E}",
            "\u{2066}kate",
            "ｋａｔｅ",
        ] {
            assert_eq!(
                Username::parse(bad).unwrap_err().code,
                "invalid_username_characters",
                "{bad:?}"
            );
        }
    }
}
