//! `docs/strings.md`, the keys a host can override, is generated from the English table and
//! kept in step with it here.

use org_invitations_core::english::MESSAGES;
use org_invitations_core::messages::placeholders;

fn generated() -> String {
    let mut doc = String::from(
        "# The console's words\n\n\
         Every message the console shows, announces or names a control with is looked up by key\n\
         in the viewer's language ([languages.md](languages.md)). A host overrides any of them\n\
         with the `strings` property (or `mountConsole`'s `strings` option), merged key by key\n\
         over the chosen language, e.g.\n\
         `element.strings = { \"list.invite_people\": \"Add teammates\" }`. A key the console does not\n\
         know, or a value that is not text, is not used, and each is reported once on the\n\
         console's `invitations-error` event.\n\n\
         A `{name}` is filled in by the console. A key ending in `#one`, `#other` (and, for\n\
         languages whose plural rules have them, `#zero`, `#two`, `#few`, `#many`) is one form\n\
         of a message that depends on `{count}`; a missing form reads as `#other`.\n\n\
         This page is generated from `core/src/english.rs` (`cargo test -p org-invitations-core`\n\
         checks it; `UPDATE_STRINGS_DOC=1` rewrites it).\n\n\
         | key | English | placeholders |\n|---|---|---|\n",
    );
    for (key, english) in MESSAGES {
        let names = placeholders(english)
            .iter()
            .map(|name| format!("`{{{name}}}`"))
            .collect::<Vec<_>>()
            .join(" ");
        doc.push_str(&format!(
            "| `{key}` | {} | {names} |\n",
            english.replace('|', "\\|")
        ));
    }
    doc
}

#[test]
fn the_strings_page_lists_every_english_message() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/strings.md");
    let expected = generated();
    if std::env::var_os("UPDATE_STRINGS_DOC").is_some() {
        std::fs::write(&path, &expected).expect("docs/strings.md written");
    }
    let found = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        found == expected,
        "docs/strings.md is not what core/src/english.rs says; after checking the change, run \
         `UPDATE_STRINGS_DOC=1 cargo test -p org-invitations-core strings`"
    );
}
