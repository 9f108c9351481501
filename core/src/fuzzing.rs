//! What the coverage-guided fuzz targets (`fuzz/`, `cargo xtask fuzz` on nightly) run, and
//! what the tests replay on stable for the seeds (`fuzz/seeds/`) and for every input that
//! ever found a bug (`core/tests/fuzz_regressions/`): each takes arbitrary bytes, feeds them
//! to one parser, and panics when a promise of that parser breaks.

use std::collections::HashSet;

use crate::email::{comparison_key, normalize};
use crate::email_input::{bring_back, csv_as_spreadsheet, read, remove_span};
use crate::listing::{ExpiryDay, ListView};
use crate::paging_token;
use crate::wire::CreateInvitation;

/// Every target by name (its folder under `fuzz/seeds/` and `fuzz/corpus/`).
pub const TARGETS: [(&str, fn(&[u8])); 5] = [
    ("paste", paste),
    ("csv_import", csv_import),
    ("email", email),
    ("list_query", list_query),
    ("request_body", request_body),
];

/// The invite form's parser: spans stay in bounds and on character boundaries, and removing
/// or bringing back any of them keeps the text valid.
pub fn paste(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let reading = read(text, &HashSet::new());
    for candidate in &reading.candidates {
        let span = candidate.span.clone();
        assert!(span.start <= span.end && span.end <= text.len(), "{span:?}");
        assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
        let _ = remove_span(text, span);
    }
    for cell in &reading.ignored {
        assert_eq!(&text[cell.span.clone()], cell.text);
        let _ = bring_back(text, cell.span.clone());
    }
}

/// A CSV file as the form imports it, then read as a paste.
pub fn csv_import(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    paste(csv_as_spreadsheet(text).as_bytes());
}

/// Email rules: an accepted address is accepted again as it is, and its comparison key is
/// its own key (comparing is stable).
pub fn email(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(address) = normalize(text) {
        assert_eq!(normalize(&address).as_deref(), Ok(address.as_str()));
        let key = comparison_key(&address);
        assert_eq!(comparison_key(&key), key, "{address}");
    }
}

/// The list's URL query and paging tokens: whatever a hand-edited URL holds, the view read
/// from it writes back to the same view, and a token that parses is the one `encode` makes.
pub fn list_query(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let pairs: Vec<(&str, &str)> = text
        .split('&')
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
        .collect();
    let view = ListView::from_query(pairs.iter().copied());
    let written = view.to_query();
    let again = ListView::from_query(written.iter().map(|(key, value)| (*key, value.as_str())));
    assert_eq!(again, view);
    if let Some(day) = ExpiryDay::from_param(text) {
        assert_eq!(ExpiryDay::from_param(&day.param()), Some(day));
    }
    for listing in [
        paging_token::Listing::Invitations,
        paging_token::Listing::Audit,
    ] {
        if let Some(seq) = paging_token::parse(listing, text) {
            let written = paging_token::encode(listing, seq);
            assert_eq!(paging_token::parse(listing, &written), Some(seq));
        }
    }
}

/// Request bodies as the server decodes them: any bytes are refused cleanly or decoded.
pub fn request_body(data: &[u8]) {
    let _ = serde_json::from_slice::<Vec<CreateInvitation>>(data);
    let _ = serde_json::from_slice::<CreateInvitation>(data);
}
