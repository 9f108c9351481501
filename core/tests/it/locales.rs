//! Every shipped locale's table (`locales/<language>.json`) against the English one: every
//! key, the same placeholders, and each plural message in every form its language's plural
//! rules use.

use std::collections::BTreeMap;

use org_invitations_core::english::MESSAGES;
use org_invitations_core::messages::{
    SHIPPED, entry_problem, is_right_to_left, placeholders, plural_categories,
};

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

/// The loader chooses the language and shows the first frame before the module has loaded: its
/// list of languages, those right to left, and the frame's English must be the console's.
#[test]
fn the_loader_knows_the_console_languages_and_its_frame_english() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../embed/org-invitations-element.js");
    let loader = std::fs::read_to_string(&path).unwrap();
    let list = |name: &str| -> Vec<String> {
        let start = loader
            .find(&format!("const {name} = ["))
            .unwrap_or_else(|| panic!("the loader has no {name}"));
        let line = loader[start..].lines().next().unwrap();
        let inside = &line[line.find('[').unwrap() + 1..line.rfind(']').unwrap()];
        inside
            .split(',')
            .map(|item| item.trim().trim_matches('"').to_owned())
            .filter(|item| !item.is_empty())
            .collect()
    };
    assert_eq!(list("LANGUAGES"), SHIPPED);
    let right_to_left: Vec<&str> = SHIPPED
        .iter()
        .copied()
        .filter(|language| is_right_to_left(language))
        .collect();
    assert_eq!(list("RIGHT_TO_LEFT"), right_to_left);
    let frame = &loader[loader.find("const FRAME_WORDS = [").unwrap()..];
    let frame = &frame[..frame.find("];").unwrap()];
    let mut checked = 0;
    for line in frame
        .lines()
        .filter(|line| line.trim_start().starts_with("[\""))
    {
        let parts: Vec<&str> = line.split('"').collect();
        let (key, english) = (parts[3], parts[5]);
        let known = MESSAGES.iter().find(|(name, _)| *name == key);
        assert_eq!(known.map(|(_, text)| *text), Some(english), "{line}");
        checked += 1;
    }
    assert_eq!(checked, 3, "the frame's title, heading and loading line");
}
