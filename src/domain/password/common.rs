//! The common-password list, searched in place.
//!
//! The list is embedded sorted (byte order, one lower-case password per line), so a binary search over
//! the raw text finds an entry with no table to build: a fresh instance per request pays nothing for it.
//! Source and licence: `common_passwords.LICENSE` beside this file.

const LIST: &str = include_str!("common_passwords.txt");

/// Whether `lowered` (already lower-cased) is on the list.
pub fn contains(lowered: &str) -> bool {
    let bytes = LIST.as_bytes();
    let (mut lo, mut hi) = (0usize, bytes.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let start = line_start(bytes, mid);
        let end = line_end(bytes, start);
        let Some(entry) = LIST.get(start..end) else {
            return false;
        };
        match entry.cmp(lowered) {
            std::cmp::Ordering::Equal => return true,
            std::cmp::Ordering::Less => lo = end + 1,
            std::cmp::Ordering::Greater => hi = start,
        }
    }
    false
}

fn line_start(bytes: &[u8], from: usize) -> usize {
    bytes
        .get(..from)
        .and_then(|head| head.iter().rposition(|&b| b == b'\n'))
        .map_or(0, |nl| nl + 1)
}

fn line_end(bytes: &[u8], start: usize) -> usize {
    bytes
        .get(start..)
        .and_then(|tail| tail.iter().position(|&b| b == b'\n'))
        .map_or(bytes.len(), |nl| start + nl)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_large_sorted_unique_and_lower_case() {
        let entries: Vec<&str> = LIST.lines().collect();
        assert!(entries.len() >= 10_000, "only {} entries", entries.len());
        assert!(
            entries.windows(2).all(|w| w[0] < w[1]),
            "not sorted or not unique"
        );
        assert!(
            entries
                .iter()
                .all(|e| !e.is_empty() && *e == e.to_lowercase())
        );
    }

    #[test]
    fn finds_every_entry_and_nothing_else() {
        for entry in LIST.lines() {
            assert!(contains(entry), "{entry:?} not found");
            assert!(!contains(&format!("{entry}\u{1}")));
        }
        for absent in [
            "",
            "correct horse battery staple",
            "zzzzzzzzzzzzzzzzzzzz",
            "\u{10ffff}",
        ] {
            assert!(!contains(absent), "{absent:?}");
        }
    }
}
