//! The console's words: a table of messages by key, English built in, other locales as tables
//! of the same keys, and a host's overrides merged over either key by key.
//!
//! A message is text with named placeholders (`{email}`, `{count}`). A message that depends on
//! a count has one key per plural category of the locale's plural rules, `name#one`,
//! `name#other`… (as `Intl.PluralRules` names them), so Arabic's six forms and Russian's
//! few/many fit as well as English's two; a missing form falls back to `#other`.

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

/// The first of `wanted` (in order of preference: the element's `lang`, the host page's, the
/// browser's languages) that the console ships, by language; English when none is.
pub fn choose_locale<'a>(wanted: impl IntoIterator<Item = &'a str>) -> &'static str {
    wanted
        .into_iter()
        .map(language_of)
        .find_map(|language| SHIPPED.iter().find(|shipped| **shipped == language))
        .copied()
        .unwrap_or("en")
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
/// has forms English has not).
pub fn is_known_key(key: &str) -> bool {
    let base = base_key(key);
    crate::english::MESSAGES
        .iter()
        .any(|(known, _)| base_key(known) == base)
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
    entries: Vec<(String, String)>,
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
            match self.find(&key) {
                Ok(at) => self.entries[at].1 = text,
                Err(at) => self.entries.insert(at, (key, text)),
            }
        }
        problems
    }

    pub fn language(&self) -> &str {
        &self.language
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.entries
            .binary_search_by(|(known, _)| known.as_str().cmp(key))
    }

    fn entry(&self, key: &str) -> Option<&str> {
        self.find(key).ok().map(|at| self.entries[at].1.as_str())
    }

    /// The message for `key`: the override or the locale's, else English's, else the key.
    pub fn text<'a>(&'a self, key: &'a str) -> &'a str {
        self.entry(key).or_else(|| english(key)).unwrap_or(key)
    }

    /// The plural form of `key` for `category` (from the locale's plural rules), else its
    /// `other` form.
    pub fn plural_text(&self, key: &str, category: &str) -> &str {
        let form = format!("{key}#{category}");
        let other = format!("{key}#other");
        // English has only one and other: a category it lacks reads as other.
        self.entry(&form)
            .or_else(|| self.entry(&other))
            .or_else(|| english(&form))
            .or_else(|| english(&other))
            .unwrap_or_default()
    }
}

fn english(key: &str) -> Option<&'static str> {
    crate::english::MESSAGES
        .binary_search_by(|(known, _)| (*known).cmp(key))
        .ok()
        .map(|index| crate::english::MESSAGES[index].1)
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
    fn the_locale_is_the_first_wanted_one_shipped() {
        assert_eq!(choose_locale(["de-CH", "fr"]), "de");
        assert_eq!(choose_locale(["pt-BR", "ar-EG"]), "ar");
        assert_eq!(choose_locale(["pt-BR"]), "en");
        assert_eq!(choose_locale(["", "JA"]), "ja");
        assert_eq!(choose_locale([]), "en");
        assert!(is_right_to_left("ar") && !is_right_to_left("de"));
    }

    #[test]
    fn overrides_merge_key_by_key_and_report_what_they_cannot_use() {
        let mut catalog = Catalog::english();
        let problems = catalog.merge([
            ("list.invite_people".to_owned(), "Add teammates".to_owned()),
            ("list.invite_poeple".to_owned(), "typo".to_owned()),
        ]);
        assert_eq!(catalog.text("list.invite_people"), "Add teammates");
        assert_eq!(catalog.text("list.refresh"), "Refresh");
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
            catalog.plural_text("dialog.title.many", "few"),
            "حذف {count} دعوة؟"
        );
        let english = Catalog::english();
        assert_eq!(
            english.plural_text("dialog.title.many", "one"),
            "Delete {count} invitation?"
        );
        assert_eq!(
            english.plural_text("dialog.title.many", "two"),
            "Delete {count} invitations?"
        );
    }
}
