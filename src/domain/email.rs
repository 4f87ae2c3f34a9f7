use super::{Invalid, text};
use unicode_normalization::{UnicodeNormalization, is_nfkc};

const MAX_LEN: usize = 254;
const MAX_LOCAL_LEN: usize = 64;
const MAX_LABEL_LEN: usize = 63;

/// An email address as the user typed it (trimmed), plus the form used for uniqueness and lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    as_given: String,
    normalized: String,
}

impl Email {
    /// Accepts the addresses people actually use (`local@domain.tld`), refuses the rest.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let trimmed = input.trim();
        let invalid = |why: &str| Invalid::new("invalid_email", why);
        if trimmed.is_empty() {
            return Err(invalid("email must not be empty"));
        }
        if trimmed.chars().count() > MAX_LEN {
            return Err(invalid("email must be at most 254 characters"));
        }
        if text::has_invisible(trimmed) {
            return Err(invalid(
                "email must not contain invisible or direction-changing characters",
            ));
        }
        // Compatibility characters (full-width letters, the Kelvin sign) fold onto another
        // address: refused rather than silently rewritten, so the address mailed is the one typed.
        if !is_nfkc(trimmed) {
            return Err(invalid(
                "email contains look-alike characters such as full-width letters; type it plainly",
            ));
        }
        let Some((local, domain)) = trimmed.rsplit_once('@') else {
            return Err(invalid("email must contain @"));
        };
        if !valid_local(local) {
            return Err(invalid("the part before @ is not valid"));
        }
        if !valid_domain(domain) {
            return Err(invalid("the domain after @ is not valid"));
        }
        Ok(Self {
            as_given: trimmed.to_owned(),
            normalized: normalize(trimmed),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.as_given
    }

    pub fn normalized(&self) -> &str {
        &self.normalized
    }

    /// The part before `@`, lower-cased: the password policy refuses passwords built from it.
    pub fn local_part(&self) -> &str {
        self.normalized
            .rsplit_once('@')
            .map_or(self.normalized.as_str(), |(local, _)| local)
    }
}

/// The address with most of it hidden, for a notice sent elsewhere: the first character of the
/// local part and of the domain, and the top-level domain (`k***@e***.org`).
pub fn mask(address: &str) -> String {
    let (local, domain) = address.rsplit_once('@').unwrap_or((address, ""));
    let first = |part: &str| part.chars().next().map(String::from).unwrap_or_default();
    let tld = domain.rsplit_once('.').map_or("", |(_, tld)| tld);
    format!("{}***@{}***.{tld}", first(local), first(domain))
}

/// The lookup form of any string a client sends as an email, valid or not: NFKC, then lower case,
/// then NFKC again (lower-casing can leave text that is not NFKC), so that look-alikes of an address
/// find the same account instead of another one.
pub fn normalize(input: &str) -> String {
    let compatible: String = input.trim().nfkc().collect();
    compatible.to_lowercase().nfkc().collect()
}

fn valid_local(local: &str) -> bool {
    let len = local.chars().count();
    (1..=MAX_LOCAL_LEN).contains(&len)
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"@()<>[]\\,;:\"".contains(c))
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let tld_ok = labels
        .last()
        .is_some_and(|tld| tld.chars().count() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()));
    labels.len() >= 2
        && tld_ok
        && labels.iter().all(|label| {
            let len = label.chars().count();
            (1..=MAX_LABEL_LEN).contains(&len)
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_masked_address_keeps_only_first_letters_and_the_top_level_domain() {
        assert_eq!(mask("kate.new@example.org"), "k***@e***.org");
        assert_eq!(mask("Ж@почта.рф"), "Ж***@п***.рф");
        assert!(!mask("kate.new@example.org").contains("kate"));
    }

    #[test]
    fn accepts_an_ordinary_address_and_keeps_it_as_given() {
        let email = Email::parse("  Alice.Smith+chat@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "Alice.Smith+chat@Example.COM");
        assert_eq!(email.normalized(), "alice.smith+chat@example.com");
        assert_eq!(email.local_part(), "alice.smith+chat");
    }

    #[test]
    fn accepts_international_domains_and_subdomains() {
        assert!(Email::parse("user@mail.пример.рф").is_ok());
        assert!(Email::parse("user@a.b.example.org").is_ok());
    }

    #[test]
    fn refuses_malformed_addresses() {
        for bad in [
            "",
            "   ",
            "plainaddress",
            "@example.com",
            "user@",
            "user@localhost",
            "user@example",
            "user@-example.com",
            "user@example-.com",
            "user@exa mple.com",
            "us er@example.com",
            ".user@example.com",
            "user.@example.com",
            "us..er@example.com",
            "user@example..com",
            "user@example.c",
            "user@127.0.0.1",
            "user@@example.com",
            "user\u{0}@example.com",
        ] {
            let err = Email::parse(bad).unwrap_err();
            assert_eq!(err.code, "invalid_email", "{bad:?} should be refused");
        }
    }

    #[test]
    fn refuses_overlong_parts() {
        let long_local = format!("{}@example.com", "a".repeat(65));
        assert!(Email::parse(&long_local).is_err());
        let long_label = format!("a@{}.com", "b".repeat(64));
        assert!(Email::parse(&long_label).is_err());
        let long_total = format!("a@{}.com", vec!["c".repeat(60); 5].join("."));
        assert!(Email::parse(&long_total).is_err());
    }

    #[test]
    fn normalize_ignores_case_and_surrounding_space() {
        assert_eq!(normalize(" Bob@Example.Com\t"), "bob@example.com");
    }

    #[test]
    fn look_alikes_normalize_to_the_plain_address() {
        assert_eq!(normalize("\u{212A}ate@example.com"), "kate@example.com");
        assert_eq!(normalize("ｋａｔｅ@ｅｘａｍｐｌｅ.com"), "kate@example.com");
        assert_eq!(normalize("Kate@Example.com"), "kate@example.com");
    }

    #[test]
    fn refuses_look_alike_invisible_and_bidirectional_characters() {
        for bad in [
            "\u{212A}ate@example.com",
            "ｋａｔｅ@example.com",
            "kate@ｅxample.com",
            "ka\u{200B}te@example.com",
            "kate\u{200D}@example.com",
            "kate\u{202E}moc.elpmaxe@example.com",
            "\u{2066}kate@example.com",
            "ka\u{00AD}te@example.com",
            "kate\u{FEFF}@example.com",
        ] {
            assert_eq!(
                Email::parse(bad).unwrap_err().code,
                "invalid_email",
                "{bad:?}"
            );
        }
        assert!(Email::parse("jürgen@example.de").is_ok());
        assert!(Email::parse("Kate@Example.com").is_ok());
    }
}
