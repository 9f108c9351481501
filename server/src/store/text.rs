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
}
