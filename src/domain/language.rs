//! Choosing the language of a mail from `Accept-Language` (RFC 9110 section 12.5.4).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    English,
    Russian,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::Russian => "ru",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "en" => Some(Language::English),
            "ru" => Some(Language::Russian),
            _ => None,
        }
    }
}

/// The supported language the client prefers most; English when none is acceptable or the header
/// is absent or malformed.
pub fn negotiate(accept_language: Option<&str>) -> Language {
    let Some(header) = accept_language else {
        return Language::English;
    };
    let mut best: Option<(u16, Language)> = None;
    for item in header.split(',') {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let quality = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .next()
            .map_or(Some(1000), parse_quality);
        let (Some(quality), Some(language)) = (quality, language_of(&tag)) else {
            continue;
        };
        if quality > 0 && best.is_none_or(|(q, _)| quality > q) {
            best = Some((quality, language));
        }
    }
    best.map_or(Language::English, |(_, language)| language)
}

fn language_of(tag: &str) -> Option<Language> {
    let primary = tag.split('-').next().unwrap_or_default();
    Language::from_code(primary)
}

/// `q` values in thousandths: "0.8" is 800. `None` when malformed.
fn parse_quality(q: &str) -> Option<u16> {
    let value: f32 = q.trim().parse().ok()?;
    (0.0..=1.0)
        .contains(&value)
        .then(|| (value * 1000.0).round() as u16)
}

#[cfg(test)]
mod tests {
    use super::Language::*;
    use super::*;

    #[test]
    fn english_by_default() {
        assert_eq!(negotiate(None), English);
        assert_eq!(negotiate(Some("")), English);
        assert_eq!(negotiate(Some("de-DE, fr;q=0.9")), English);
        assert_eq!(negotiate(Some(";;;,,q=")), English);
    }

    #[test]
    fn picks_russian_when_preferred() {
        assert_eq!(negotiate(Some("ru")), Russian);
        assert_eq!(
            negotiate(Some("ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7")),
            Russian
        );
        assert_eq!(negotiate(Some("de, ru;q=0.5")), Russian);
    }

    #[test]
    fn honours_quality_values() {
        assert_eq!(negotiate(Some("ru;q=0.4, en;q=0.6")), English);
        assert_eq!(negotiate(Some("en;q=0, ru;q=0.1")), Russian);
        assert_eq!(negotiate(Some("ru;q=0")), English);
        assert_eq!(negotiate(Some("ru;q=abc, en")), English);
    }
}
