//! Every shipped locale's table (`locales/<language>.json`) against the English one: every
//! key, the same placeholders, and each plural message in every form its language's plural
//! rules use.

use std::collections::BTreeMap;

use org_invitations_core::english::MESSAGES;
use org_invitations_core::messages::{SHIPPED, entry_problem, placeholders, plural_categories};

fn table(language: &str) -> BTreeMap<String, String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../locales/{language}.json"));
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

fn base(key: &str) -> &str {
    key.split_once('#').map_or(key, |(base, _)| base)
}

#[test]
fn every_locale_has_every_message_with_its_placeholders_and_plural_forms() {
    for language in SHIPPED.iter().filter(|language| **language != "en") {
        let table = table(language);
        let forms = plural_categories(language);
        let mut bases: Vec<&str> = MESSAGES.iter().map(|(key, _)| base(key)).collect();
        bases.dedup();
        for wanted in bases {
            let english: Vec<&str> = MESSAGES
                .iter()
                .filter(|(key, _)| base(key) == wanted)
                .flat_map(|(_, text)| placeholders(text))
                .collect();
            let plural = MESSAGES
                .iter()
                .any(|(key, _)| key.contains('#') && base(key) == wanted);
            let keys: Vec<String> = if plural {
                forms
                    .iter()
                    .map(|form| format!("{wanted}#{form}"))
                    .collect()
            } else {
                vec![wanted.to_owned()]
            };
            for key in keys {
                let text = table
                    .get(&key)
                    .unwrap_or_else(|| panic!("{language}: no “{key}”"));
                assert_eq!(entry_problem(&key, text), None, "{language}");
                let given = placeholders(text);
                for name in &english {
                    // A plural form may say its number in words ("one invitation").
                    assert!(
                        given.contains(name) || (plural && *name == "count"),
                        "{language}: “{key}” lacks {{{name}}}: {text}"
                    );
                }
            }
        }
        for key in table.keys() {
            let known = MESSAGES
                .iter()
                .any(|(english, _)| base(english) == base(key));
            assert!(
                known,
                "{language}: “{key}” is not a key of the English table"
            );
            if let Some((_, form)) = key.split_once('#') {
                assert!(
                    forms.contains(&form),
                    "{language}: “{key}”: no such plural form"
                );
            }
        }
    }
}
