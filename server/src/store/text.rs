//! Text as both stores keep it. The API takes any JSON string and any path, and the audit
//! trail keeps what a caller sent even when it was refused; but PostgreSQL's `text` cannot
//! hold U+0000 (a write with one fails), while SQLite's can. Both stores therefore keep each
//! U+0000 as U+2400 (␀), which a person reading the trail sees for what it was, and look text
//! up the same way, so a search for what was typed finds it and nothing a caller sends can
//! make a write fail.

use std::borrow::Cow;

const NUL: char = '\0';
const SYMBOL_FOR_NUL: &str = "\u{2400}";

/// `text` as the stores keep it and compare it.
pub fn storable(text: &str) -> Cow<'_, str> {
    if text.contains(NUL) {
        Cow::Owned(text.replace(NUL, SYMBOL_FOR_NUL))
    } else {
        Cow::Borrowed(text)
    }
}

/// `text` cut to its first `most` characters, saying so and how long it was, when it is
/// longer: what a caller sent is kept on the trail, but a caller cannot make the trail grow
/// by sending more.
pub fn bounded(text: &str, most: usize) -> Cow<'_, str> {
    let length = text.chars().count();
    if length <= most {
        return Cow::Borrowed(text);
    }
    let kept: String = text.chars().take(most).collect();
    Cow::Owned(format!("{kept}… [truncated: {length} characters]"))
}

/// [`storable`] for a value that may be absent.
pub fn storable_opt(text: Option<&str>) -> Option<Cow<'_, str>> {
    text.map(storable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_nul_changes_and_text_without_it_is_not_copied() {
        assert_eq!(storable("a\0b\0"), "a\u{2400}b\u{2400}");
        assert!(matches!(
            storable("naïve\u{1}\u{7f}"),
            Cow::Borrowed("naïve\u{1}\u{7f}")
        ));
        assert_eq!(storable_opt(None), None);
    }

    #[test]
    fn long_text_is_cut_and_says_so() {
        assert!(matches!(bounded("short", 5), Cow::Borrowed("short")));
        assert_eq!(bounded("ünïcode", 3), "ünï… [truncated: 7 characters]");
    }
}
