//! What a log line may hold of a value a request brought: at most
//! [`MAX_LOGGED_CHARS`](crate::limits::MAX_LOGGED_CHARS) characters of it, so no client can
//! make a line (or the log) as long as it likes.

use std::borrow::Cow;

use crate::limits::MAX_LOGGED_CHARS;

/// `value` as a log field: whole when short enough, else its start and `…`.
pub fn cut(value: &str) -> Cow<'_, str> {
    match value.char_indices().nth(MAX_LOGGED_CHARS) {
        None => Cow::Borrowed(value),
        Some((end, _)) => Cow::Owned(format!("{}…", &value[..end])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_cut_at_the_limit_and_marked() {
        assert_eq!(cut("/api/v2/userinfo/"), "/api/v2/userinfo/");
        let exact = "é".repeat(MAX_LOGGED_CHARS);
        assert_eq!(cut(&exact), exact);
        let long = "é".repeat(200_000);
        let logged = cut(&long);
        assert_eq!(logged.chars().count(), MAX_LOGGED_CHARS + 1);
        assert!(logged.ends_with('…'));
    }
}
