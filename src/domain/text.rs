//! Characters no identifier or secret the service accepts may contain: control characters (which
//! PostgreSQL's text type cannot even hold when NUL) and characters that render as nothing or
//! reorder the text around them, so that two addresses that look alike on screen are not different.

/// C0 and C1 controls and DEL, NUL included.
pub fn has_control(text: &str) -> bool {
    text.chars().any(char::is_control)
}

/// Unicode's Default_Ignorable_Code_Point set (zero-width spaces and joiners, soft hyphen,
/// variation selectors, fillers, tags) plus the interlinear annotation controls: invisible when
/// rendered. The bidirectional controls (U+061C, U+200E-U+200F, U+202A-U+202E, U+2066-U+2069)
/// fall inside these ranges.
const INVISIBLE: &[(char, char)] = &[
    ('\u{00AD}', '\u{00AD}'),
    ('\u{034F}', '\u{034F}'),
    ('\u{061C}', '\u{061C}'),
    ('\u{115F}', '\u{1160}'),
    ('\u{17B4}', '\u{17B5}'),
    ('\u{180B}', '\u{180F}'),
    ('\u{200B}', '\u{200F}'),
    ('\u{202A}', '\u{202E}'),
    ('\u{2060}', '\u{206F}'),
    ('\u{3164}', '\u{3164}'),
    ('\u{FE00}', '\u{FE0F}'),
    ('\u{FEFF}', '\u{FEFF}'),
    ('\u{FFA0}', '\u{FFA0}'),
    ('\u{FFF0}', '\u{FFFB}'),
    ('\u{1BCA0}', '\u{1BCA3}'),
    ('\u{1D173}', '\u{1D17A}'),
    ('\u{E0000}', '\u{E0FFF}'),
];

pub fn is_invisible(c: char) -> bool {
    INVISIBLE
        .iter()
        .any(|&(low, high)| (low..=high).contains(&c))
}

pub fn has_invisible(text: &str) -> bool {
    text.chars().any(is_invisible)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_include_nul_del_and_c1() {
        for bad in ["\u{0}", "a\tb", "x\u{7F}", "\u{85}", "line\n"] {
            assert!(has_control(bad), "{bad:?}");
        }
        assert!(!has_control("plain text, ümlaut and 名前"));
    }

    #[test]
    fn invisible_and_bidirectional_characters_are_recognised() {
        for c in [
            '\u{200B}',
            '\u{200D}',
            '\u{200E}',
            '\u{202E}',
            '\u{2066}',
            '\u{2069}',
            '\u{061C}',
            '\u{FEFF}',
            '\u{00AD}',
            '\u{E0041}',
            '\u{FE0F}',
        ] {
            assert!(is_invisible(c), "{c:?}");
        }
        for c in ['a', 'é', ' ', '\u{2010}', '\u{1F600}', 'я'] {
            assert!(!is_invisible(c), "{c:?}");
        }
        assert!(has_invisible("ka\u{200B}te"));
        assert!(!has_invisible("kate"));
    }
}
