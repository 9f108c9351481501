//! The console's words: a table of messages by key, English built in, other locales as tables
//! of the same keys, and a host's overrides merged over either key by key.
//!
//! A message is text with named placeholders (`{email}`, `{count}`). A message that depends on
//! a count has one key per plural category of the locale's plural rules, `name#one`,
//! `name#other`… (as `Intl.PluralRules` names them), so Arabic's six forms and Russian's
//! few/many fit as well as English's two; a missing form falls back to `#other`.

/// A message's key as the console's code names it: the 32-bit FNV-1a hash of its name, so the
/// console carries no key names (the [`key!`](crate::key) macro hashes a name at compile time
/// and refuses one English has not). A plural form's key is its base's hash carried on over
/// `#category`, so forms are found from the base alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key(u32);

/// `key!("list.title")`: the [`Key`] of a message English has, checked when compiling:
///
/// ```
/// use org_invitations_core::messages::{Catalog, Key};
/// let title: Key = org_invitations_core::key!("list.title");
/// assert_eq!(Catalog::english().text(title), "Invitations");
/// ```
///
/// ```compile_fail
/// let _ = org_invitations_core::key!("list.no_such_message");
/// ```
#[macro_export]
macro_rules! key {
    ($name:literal) => {{
        const KEY: $crate::messages::Key = $crate::messages::Key::named($name);
        KEY
    }};
}

const FNV_OFFSET: u32 = 0x811c_9dc5;
const FNV_PRIME: u32 = 0x0100_0193;

/// FNV-1a over `bytes`, carried on from `hash`. Written here rather than taken from a crate:
/// `const-fnv1a-hash` always starts from the offset basis (a plural form's key carries its
/// base's hash on), and a `std::hash::Hasher` cannot run in a constant.
const fn fnv(mut hash: u32, bytes: &[u8]) -> u32 {
    let mut at = 0;
    while at < bytes.len() {
        hash ^= bytes[at] as u32;
        hash = hash.wrapping_mul(FNV_PRIME);
        at += 1;
    }
    hash
}

impl Key {
    /// The key of `name`, which must name an English message or the base of a plural one
    /// (a compile error in a constant, as [`key!`](crate::key) uses it).
    pub const fn named(name: &str) -> Self {
        assert!(
            names_a_message(name),
            "not a message key of core/src/english.rs"
        );
        Self::of(name)
    }

    /// The key of `name`, whatever it names (a locale's or a host's entry).
    pub const fn of(name: &str) -> Self {
        Self(fnv(FNV_OFFSET, name.as_bytes()))
    }

    /// The key of this message's plural form for `category`: `name#category`.
    pub fn plural(self, category: &str) -> Self {
        Self(fnv(fnv(self.0, b"#"), category.as_bytes()))
    }
}

/// Whether English has a message `name`, or plural forms `name#…`.
const fn names_a_message(name: &str) -> bool {
    let name = name.as_bytes();
    let mut at = 0;
    while at < crate::english::MESSAGES.len() {
        let known = crate::english::MESSAGES[at].0.as_bytes();
        if starts_with(known, name) && (known.len() == name.len() || known[name.len()] == b'#') {
            return true;
        }
        at += 1;
    }
    false
}

const fn starts_with(text: &[u8], prefix: &[u8]) -> bool {
    if prefix.len() > text.len() {
        return false;
    }
    let mut at = 0;
    while at < prefix.len() {
        if text[at] != prefix[at] {
            return false;
        }
        at += 1;
    }
    true
}

const ENGLISH_LEN: usize = crate::english::MESSAGES.len();

/// English by key, sorted by key, made when compiling: the console's only copy of its English.
/// Two names sharing a hash fail the build.
static ENGLISH: [(Key, &str); ENGLISH_LEN] = english_by_key();

const fn english_by_key() -> [(Key, &'static str); ENGLISH_LEN] {
    let mut table = [(Key(0), ""); ENGLISH_LEN];
    let mut at = 0;
    while at < ENGLISH_LEN {
        let (name, text) = crate::english::MESSAGES[at];
        table[at] = (Key::of(name), text);
        at += 1;
    }
    // Insertion sort: a constant cannot call the slice's sort.
    let mut sorted = 1;
    while sorted < ENGLISH_LEN {
        let mut at = sorted;
        while at > 0 && table[at - 1].0.0 > table[at].0.0 {
            let moved = table[at];
            table[at] = table[at - 1];
            table[at - 1] = moved;
            at -= 1;
        }
        sorted += 1;
    }
    let mut at = 1;
    while at < ENGLISH_LEN {
        assert!(
            table[at - 1].0.0 != table[at].0.0,
            "two message keys share a hash: rename one"
        );
        at += 1;
    }
    table
}

/// The locales the console ships, English first (it is built in; the others are fetched).
pub const SHIPPED: &[&str] = &["en", "de", "fr", "es", "ja", "ar"];

/// A shipped language's name in itself, for a menu of languages.
pub fn own_name(language: &str) -> &'static str {
    match language {
        "de" => "Deutsch",
        "fr" => "Français",
        "es" => "Español",
        "ja" => "日本語",
        "ar" => "العربية",
        _ => "English",
    }
}

/// The plural categories a locale's rules use, as `Intl.PluralRules` reports them
/// (`resolvedOptions().pluralCategories`; a browser test keeps this in step with it).
pub fn plural_categories(language: &str) -> &'static [&'static str] {
    match language {
        "ja" => &["other"],
        "de" | "en" => &["one", "other"],
        "fr" | "es" => &["one", "many", "other"],
        "ar" => &["zero", "one", "two", "few", "many", "other"],
        _ => &["one", "other"],
    }
}

/// Whether a locale is written right to left.
pub fn is_right_to_left(language: &str) -> bool {
    matches!(language, "ar" | "he" | "fa" | "ur")
}

/// The language of a BCP 47 tag, lower-cased: "de" for "de-CH".
pub fn language_of(tag: &str) -> String {
    tag.split(['-', '_'])
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// The placeholders a message names, without braces, sorted, each once. (A plain vector: a
/// set type would cost the console kilobytes.)
pub fn placeholders(text: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            break;
        };
        found.push(&after[..close]);
        rest = &after[close + 1..];
    }
    found.sort_unstable();
    found.dedup();
    found
}

/// `template` with each `{name}` replaced by its value; names without a value stay as written.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut filled = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        filled.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match values.iter().find(|(key, _)| *key == name) {
                    Some((_, value)) => filled.push_str(value),
                    None => {
                        filled.push('{');
                        filled.push_str(name);
                        filled.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                filled.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    filled.push_str(rest);
    filled
}

/// The base key of a plural form: "rows#one" → "rows".
fn base_key(key: &str) -> &str {
    key.split_once('#').map_or(key, |(base, _)| base)
}

/// Whether `key` names an English message, or a plural form of one (any category: a locale
/// has forms English has not). Every plural message has an `other` form.
pub fn is_known_key(key: &str) -> bool {
    let key = match key.split_once('#') {
        Some((base, _)) => Key::of(base).plural("other"),
        None => Key::of(key),
    };
    english(key).is_some()
}

/// What is wrong with an override or a locale's entry for `key`, if anything: an unknown key,
/// or placeholders other than English's.
pub fn entry_problem(key: &str, text: &str) -> Option<String> {
    if !is_known_key(key) {
        return Some(format!("unknown key “{key}”"));
    }
    let base = base_key(key);
    let english: Vec<&str> = crate::english::MESSAGES
        .iter()
        .filter(|(known, _)| base_key(known) == base)
        .flat_map(|(_, english)| placeholders(english))
        .collect();
    let strange: Vec<String> = placeholders(text)
        .into_iter()
        .filter(|name| !english.contains(name))
        .map(|name| format!("{{{name}}}"))
        .collect();
    (!strange.is_empty()).then(|| {
        format!(
            "“{key}” names placeholders English has not: {}",
            strange.join(", ")
        )
    })
}

/// The messages a console shows: English, a locale's table over it, a host's overrides over
/// both.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// The locale's language ("de"); "en" for English alone.
    language: String,
    /// The locale's entries and the host's overrides, sorted by key (a map type would cost
    /// the console kilobytes).
    entries: Vec<(Key, String)>,
}

impl Catalog {
    /// English alone.
    pub fn english() -> Self {
        Self {
            language: "en".into(),
            entries: Vec::new(),
        }
    }

    /// A locale's table over English. Entries English does not know are left out and named in
    /// the returned problems.
    pub fn with_locale(
        language: &str,
        table: impl IntoIterator<Item = (String, String)>,
    ) -> (Self, Vec<String>) {
        let mut catalog = Self {
            language: language_of(language),
            entries: Vec::new(),
        };
        let problems = catalog.merge(table);
        (catalog, problems)
    }

    /// A host's overrides, merged key by key over what is there. Each unknown key is left out
    /// and named in the returned problems, never silently ignored.
    pub fn merge(&mut self, table: impl IntoIterator<Item = (String, String)>) -> Vec<String> {
        let mut problems = Vec::new();
        for (key, text) in table {
            // Only the key is checked here: a placeholder English has not simply shows as
            // written (the locales' tables are checked whole by a test).
            if !is_known_key(&key) {
                problems.push(format!("unknown key “{key}”"));
                continue;
            }
            let key = Key::of(&key);
            match self.find(key) {
                Ok(at) => self.entries[at].1 = text,
                Err(at) => self.entries.insert(at, (key, text)),
            }
        }
        problems
    }

    pub fn language(&self) -> &str {
        &self.language
    }

    fn find(&self, key: Key) -> Result<usize, usize> {
        self.entries.binary_search_by_key(&key, |(known, _)| *known)
    }

    fn entry(&self, key: Key) -> Option<&str> {
        self.find(key).ok().map(|at| self.entries[at].1.as_str())
    }

    /// The message for `key`: the override or the locale's, else English's.
    pub fn text(&self, key: Key) -> &str {
        self.entry(key).or_else(|| english(key)).unwrap_or_default()
    }

    /// The plural form of `key` for `category` (from the locale's plural rules), else its
    /// `other` form.
    pub fn plural_text(&self, key: Key, category: &str) -> &str {
        let (form, other) = (key.plural(category), key.plural("other"));
        // English has only one and other: a category it lacks reads as other.
        self.entry(form)
            .or_else(|| self.entry(other))
            .or_else(|| english(form))
            .or_else(|| english(other))
            .unwrap_or_default()
    }
}

fn english(key: Key) -> Option<&'static str> {
    ENGLISH
        .binary_search_by_key(&key, |(known, _)| *known)
        .ok()
        .map(|at| ENGLISH[at].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_is_sorted_by_key_without_repeats() {
        for pair in crate::english::MESSAGES.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{} before {}", pair[0].0, pair[1].0);
        }
    }

    #[test]
    fn every_english_message_is_found_by_its_key_and_forms_by_their_base() {
        let english = Catalog::english();
        for (name, text) in crate::english::MESSAGES {
            assert_eq!(english.text(Key::of(name)), *text, "{name}");
            if let Some((base, category)) = name.split_once('#') {
                assert_eq!(Key::of(base).plural(category), Key::of(name), "{name}");
            }
        }
        assert!(is_known_key("list.title") && is_known_key("dialog.title.many#few"));
        assert!(!is_known_key("list.titel") && !is_known_key("dialog.title.many"));
    }

    #[test]
    fn placeholders_are_filled_by_name_and_unknown_ones_kept() {
        assert_eq!(
            fill(
                "{count} of {total} for {who}",
                &[("count", "3"), ("total", "9")]
            ),
            "3 of 9 for {who}"
        );
        assert_eq!(fill("no braces", &[]), "no braces");
        assert_eq!(fill("open { only", &[]), "open { only");
        assert_eq!(
            placeholders("{a} and {b}, {a}")
                .into_iter()
                .collect::<Vec<_>>(),
            ["a", "b"]
        );
    }

    #[test]
    fn languages_are_told_by_their_tags_and_direction() {
        assert_eq!(language_of("de-CH"), "de");
        assert_eq!(language_of("JA_jp"), "ja");
        assert!(is_right_to_left("ar") && !is_right_to_left("de"));
    }

    #[test]
    fn overrides_merge_key_by_key_and_report_what_they_cannot_use() {
        let mut catalog = Catalog::english();
        let problems = catalog.merge([
            ("list.invite_people".to_owned(), "Add teammates".to_owned()),
            ("list.invite_poeple".to_owned(), "typo".to_owned()),
        ]);
        assert_eq!(
            catalog.text(crate::key!("list.invite_people")),
            "Add teammates"
        );
        assert_eq!(catalog.text(crate::key!("list.refresh")), "Refresh");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("list.invite_poeple"), "{problems:?}");
        assert!(
            entry_problem("list.loading.progress", "{loaded}/{all}")
                .is_some_and(|problem| problem.contains("{all}"))
        );
    }

    #[test]
    fn plural_forms_fall_back_to_other() {
        let (catalog, problems) = Catalog::with_locale(
            "ar",
            [(
                "dialog.title.many#other".to_owned(),
                "حذف {count} دعوة؟".to_owned(),
            )],
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            catalog.plural_text(crate::key!("dialog.title.many"), "few"),
            "حذف {count} دعوة؟"
        );
        let english = Catalog::english();
        assert_eq!(
            english.plural_text(crate::key!("dialog.title.many"), "one"),
            "Delete {count} invitation?"
        );
        assert_eq!(
            english.plural_text(crate::key!("dialog.title.many"), "two"),
            "Delete {count} invitations?"
        );
    }
}
