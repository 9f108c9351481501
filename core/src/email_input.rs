//! Reads whatever people paste into the invite form — a comma list, a spreadsheet column,
//! an address-book export, a line from an email header — into candidate addresses, each with
//! its verdict.

use std::collections::HashSet;
use std::ops::Range;

use crate::email::{self, comparison_key};

/// What the form will do with one candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Valid,
    /// Not an address, and why.
    Invalid(email::EmailError),
    /// The same address (ignoring case) appears earlier in the input.
    Duplicate,
    /// The address already has a pending invitation.
    AlreadyInvited,
}

/// One address found in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The address as it will be sent: without display name, quotes, brackets or `mailto:`.
    pub address: String,
    /// Where the candidate stands in the input (byte offsets), so it can be removed.
    pub span: Range<usize>,
    pub verdict: Verdict,
}

/// Counts for the preview line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub valid: usize,
    pub invalid: usize,
    pub duplicate: usize,
    pub already_invited: usize,
}

impl Tally {
    pub fn of(candidates: &[Candidate]) -> Self {
        let mut tally = Self::default();
        for candidate in candidates {
            match candidate.verdict {
                Verdict::Valid => tally.valid += 1,
                Verdict::Invalid(_) => tally.invalid += 1,
                Verdict::Duplicate => tally.duplicate += 1,
                Verdict::AlreadyInvited => tally.already_invited += 1,
            }
        }
        tally
    }
}

/// A spreadsheet cell the form set aside because it holds no `@`: a header, a name, or a
/// mistyped address that the person may want back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoredCell {
    /// The cell's text, trimmed.
    pub text: String,
    /// Where the cell stands in the input (byte offsets).
    pub span: Range<usize>,
}

/// Everything the form reads from its input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reading {
    pub candidates: Vec<Candidate>,
    pub ignored: Vec<IgnoredCell>,
}

/// Finds every candidate address in `input` and judges it. `pending` holds the
/// [`comparison_key`]s of addresses that already have a pending invitation.
pub fn parse(input: &str, pending: &HashSet<String>) -> Vec<Candidate> {
    read(input, pending).candidates
}

/// [`parse`], plus the spreadsheet cells it set aside, so nothing pasted vanishes unsaid.
pub fn read(input: &str, pending: &HashSet<String>) -> Reading {
    let mut seen = HashSet::new();
    let mut reading = Reading::default();
    for (line_start, line) in lines(input) {
        // A line with tabs is a spreadsheet row: keep the cells that hold an address.
        let spreadsheet = line.contains('\t');
        for (entry_start, entry) in split_outside_quotes(line, |c| matches!(c, ',' | ';' | '\t')) {
            if spreadsheet && !entry.contains('@') {
                let leading = entry.len() - entry.trim_start().len();
                let start = line_start + entry_start + leading;
                let text = entry.trim();
                reading.ignored.push(IgnoredCell {
                    text: text.to_owned(),
                    span: start..start + text.len(),
                });
                continue;
            }
            for (span, raw) in addresses_in_entry(entry) {
                let start = line_start + entry_start + span.start;
                let address = clean(raw);
                let verdict = match email::normalize(&address) {
                    Err(err) => Verdict::Invalid(err),
                    Ok(address) => {
                        let key = comparison_key(&address);
                        if !seen.insert(key.clone()) {
                            Verdict::Duplicate
                        } else if pending.contains(&key) {
                            Verdict::AlreadyInvited
                        } else {
                            Verdict::Valid
                        }
                    }
                };
                reading.candidates.push(Candidate {
                    address: address.trim().to_owned(),
                    span: start..line_start + entry_start + span.end,
                    verdict,
                });
            }
        }
    }
    reading
}

/// `input` with the ignored cell at `span` moved to a line of its own at the end, where it
/// is read as an address to check. Its row keeps an empty cell, so the columns stay put.
pub fn bring_back(input: &str, span: Range<usize>) -> String {
    let end = span.end.min(input.len());
    let start = span.start.min(end);
    let cell = input[start..end].trim();
    let mut text = format!("{}{}", &input[..start], &input[end..]);
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(cell);
    text
}

/// A CSV file as the parser reads a spreadsheet paste: cells separated by tabs, so only the
/// cells that hold an address are kept (quoted cells keep their commas).
pub fn csv_as_spreadsheet(csv: &str) -> String {
    lines(csv)
        .map(|(_, line)| {
            split_outside_quotes(line, |c| c == ',')
                .into_iter()
                .map(|(_, cell)| cell.trim())
                .collect::<Vec<_>>()
                .join("\t")
        })
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// `input` without the candidate at `span` and the separators that followed it.
pub fn remove_span(input: &str, span: Range<usize>) -> String {
    let end = span.end.min(input.len());
    let start = span.start.min(end);
    let rest = &input[end..];
    // Take the separators after it too; at the end of a line, its line break.
    let mut after = rest.trim_start_matches([',', ';', ' ', '\t']);
    if after.len() == rest.len() {
        after = rest.trim_start_matches(['\r', '\n']);
    }
    format!("{}{after}", &input[..start])
}

/// Lines with their byte offsets.
fn lines(input: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    input.split('\n').map(move |line| {
        let start = offset;
        offset += line.len() + 1;
        (start, line.strip_suffix('\r').unwrap_or(line))
    })
}

/// Splits at separator characters that stand outside double quotes and angle brackets,
/// so `"Last, First" <a@x.com>` stays one entry. Yields non-blank parts with their offsets.
fn split_outside_quotes(text: &str, is_separator: impl Fn(char) -> bool) -> Vec<(usize, &str)> {
    let mut parts = Vec::new();
    let (mut in_quotes, mut in_brackets, mut start) = (false, false, 0);
    for (index, c) in text.char_indices() {
        match c {
            '"' if !in_brackets => in_quotes = !in_quotes,
            '<' if !in_quotes => in_brackets = true,
            '>' if !in_quotes => in_brackets = false,
            c if !in_quotes && !in_brackets && is_separator(c) => {
                parts.push((start, &text[start..index]));
                start = index + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push((start, &text[start..]));
    parts
        .into_iter()
        .filter(|(_, part)| !part.trim().is_empty())
        .collect()
}

/// The addresses in one entry: the bracketed one of `Name <addr>`, else every word.
fn addresses_in_entry(entry: &str) -> Vec<(Range<usize>, &str)> {
    if let (Some(open), Some(close)) = (entry.rfind('<'), entry.rfind('>'))
        && open < close
        && !entry[open + 1..close].trim().is_empty()
    {
        // The display name before the brackets is dropped; the span covers the whole entry.
        let first = entry.len() - entry.trim_start().len();
        return vec![(first..close + 1, &entry[open + 1..close])];
    }
    split_outside_quotes(entry, char::is_whitespace)
        .into_iter()
        .map(|(start, word)| (start..start + word.len(), word))
        .collect()
}

/// Strips what surrounds an address in pasted text: quotes, brackets, `mailto:` and a query.
fn clean(raw: &str) -> String {
    let mut address = raw.trim();
    // Only a matching pair is stripped: `"john doe"@x.com` keeps its quoted local part.
    while let Some(inner) = [('"', '"'), ('\'', '\''), ('<', '>'), ('(', ')'), ('[', ']')]
        .iter()
        .find_map(|(open, close)| {
            address
                .strip_prefix(*open)
                .and_then(|rest| rest.strip_suffix(*close))
        })
    {
        address = inner.trim();
    }
    if let Some(prefix) = address.get(..7)
        && prefix.eq_ignore_ascii_case("mailto:")
    {
        address = &address[7..];
        address = address.split('?').next().unwrap_or(address);
    }
    address.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn addresses(input: &str) -> Vec<String> {
        parse(input, &HashSet::new())
            .into_iter()
            .map(|candidate| candidate.address)
            .collect()
    }

    fn verdicts(input: &str, pending: &[&str]) -> Vec<(String, Verdict)> {
        let pending = pending.iter().map(|email| comparison_key(email)).collect();
        parse(input, &pending)
            .into_iter()
            .map(|candidate| (candidate.address, candidate.verdict))
            .collect()
    }

    #[test]
    fn accepts_every_separator_mixed() {
        assert_eq!(
            addresses("a@x.com,b@x.com; c@x.com\td@x.com\ne@x.com\r\nf@x.com  g@x.com"),
            [
                "a@x.com", "b@x.com", "c@x.com", "d@x.com", "e@x.com", "f@x.com", "g@x.com"
            ]
        );
        assert!(addresses(" ,, ;\n\n\t ").is_empty());
    }

    #[test]
    fn takes_the_address_of_named_forms() {
        assert_eq!(
            addresses("Ann Smith <ann@x.com>, \"Last, First\" <first.last@x.com>; <bare@x.com>"),
            ["ann@x.com", "first.last@x.com", "bare@x.com"]
        );
        assert_eq!(
            addresses("To: Ann <ann@x.com>, Bob <bob@x.com>"),
            ["ann@x.com", "bob@x.com"]
        );
    }

    #[test]
    fn strips_mailto_quotes_and_brackets() {
        assert_eq!(
            addresses(
                "mailto:a@x.com, MAILTO:b@x.com?subject=hi, \"c@x.com\", 'd@x.com', (e@x.com)"
            ),
            ["a@x.com", "b@x.com", "c@x.com", "d@x.com", "e@x.com"]
        );
    }

    #[test]
    fn keeps_only_address_cells_of_a_spreadsheet_paste() {
        let paste = "Name\tEmail\tTeam\nAnn Smith\tann@x.com\tSales\nBob\tbob@x.com\tOps\n";
        assert_eq!(addresses(paste), ["ann@x.com", "bob@x.com"]);
    }

    #[test]
    fn a_spreadsheet_paste_says_which_cells_it_set_aside() {
        let paste = "Name\tEmail\nJane Doe\t jane.doe.example.com \nBob\tbob@x.com\n";
        let reading = read(paste, &HashSet::new());
        let ignored: Vec<&str> = reading
            .ignored
            .iter()
            .map(|cell| cell.text.as_str())
            .collect();
        assert_eq!(
            ignored,
            ["Name", "Email", "Jane Doe", "jane.doe.example.com", "Bob"]
        );
        for cell in &reading.ignored {
            assert_eq!(&paste[cell.span.clone()], cell.text);
        }
        assert_eq!(reading.candidates.len(), 1);
        // Lines without tabs set nothing aside: their words are candidates, judged.
        assert!(read("nope, a@x.com", &HashSet::new()).ignored.is_empty());
    }

    #[test]
    fn a_cell_brought_back_is_read_as_an_address_to_check() {
        let paste = "Jane Doe\tjane.doe.example.com\nBob\tbob@x.com";
        let mistyped = read(paste, &HashSet::new()).ignored[1].span.clone();
        let text = bring_back(paste, mistyped);
        assert_eq!(text, "Jane Doe\t\nBob\tbob@x.com\njane.doe.example.com");
        let reading = read(&text, &HashSet::new());
        assert_eq!(
            reading
                .ignored
                .iter()
                .map(|cell| cell.text.as_str())
                .collect::<Vec<_>>(),
            ["Jane Doe", "Bob"]
        );
        assert!(matches!(
            &reading.candidates[1],
            Candidate { address, verdict: Verdict::Invalid(reason), .. }
                if address == "jane.doe.example.com" && reason.in_english() == "no @ — is this an address?"
        ));
        // A paste ending in a line break gets no blank line before the cell.
        assert_eq!(bring_back("Ann\ta@x.com\n", 0..3), "\ta@x.com\nAnn");
    }

    #[test]
    fn a_csv_file_reads_like_a_spreadsheet() {
        let csv = "Name,Email,Team\r\n\"Smith, Ann\",ann@x.com,Sales\nBob,<bob@x.com>,Ops\n";
        let converted = csv_as_spreadsheet(csv);
        assert_eq!(
            converted,
            "Name\tEmail\tTeam\n\"Smith, Ann\"\tann@x.com\tSales\nBob\t<bob@x.com>\tOps"
        );
        assert_eq!(addresses(&converted), ["ann@x.com", "bob@x.com"]);
    }

    #[test]
    fn judges_each_candidate() {
        let judged = verdicts(
            "a@x.com, nope, A@X.com, pending@x.com, b@x.com",
            &["Pending@x.com"],
        );
        assert_eq!(judged[0], ("a@x.com".into(), Verdict::Valid));
        assert!(
            matches!(&judged[1], (address, Verdict::Invalid(reason)) if address == "nope" && reason.in_english() == "no @ — is this an address?")
        );
        assert_eq!(judged[2], ("A@X.com".into(), Verdict::Duplicate));
        assert_eq!(judged[3], ("pending@x.com".into(), Verdict::AlreadyInvited));
        assert_eq!(judged[4], ("b@x.com".into(), Verdict::Valid));
        let tally = Tally::of(&parse(
            "a@x.com, nope, A@X.com, pending@x.com, b@x.com",
            &["pending@x.com".to_owned()].into(),
        ));
        assert_eq!(
            tally,
            Tally {
                valid: 2,
                invalid: 1,
                duplicate: 1,
                already_invited: 1
            }
        );
    }

    #[test]
    fn international_and_quoted_local_parts_follow_the_email_rules() {
        let judged = verdicts("josé@bücher.de, 用户@例子.广告, \"john doe\"@x.com", &[]);
        assert_eq!(judged[0].1, Verdict::Valid);
        assert_eq!(judged[1].1, Verdict::Valid);
        assert_eq!(judged[2], ("\"john doe\"@x.com".to_owned(), Verdict::Valid));
    }

    #[test]
    fn the_254_character_limit_applies() {
        let labels = ["c".repeat(61), "d".repeat(61), "e".repeat(61)].join(".");
        let at_limit = format!("{}@{labels}.com", "a".repeat(64));
        assert_eq!(at_limit.len(), 254);
        let over = format!("b{at_limit}");
        let judged = verdicts(&format!("{at_limit}\n{over}"), &[]);
        assert_eq!(judged[0].1, Verdict::Valid);
        assert!(
            matches!(&judged[1].1, Verdict::Invalid(reason) if reason.in_english().contains("254"))
        );
    }

    #[test]
    fn spans_point_at_the_candidate_and_removal_keeps_the_rest() {
        let input = "a@x.com, Bad One <bad@>, c@x.com\nd@x.com";
        let candidates = parse(input, &HashSet::new());
        assert_eq!(&input[candidates[1].span.clone()], "Bad One <bad@>");
        assert_eq!(
            remove_span(input, candidates[1].span.clone()),
            "a@x.com, c@x.com\nd@x.com"
        );
        assert_eq!(
            remove_span(input, candidates[3].span.clone()),
            "a@x.com, Bad One <bad@>, c@x.com\n"
        );
        let last_on_line = parse(input, &HashSet::new())[2].span.clone();
        assert_eq!(
            remove_span(input, last_on_line),
            "a@x.com, Bad One <bad@>, d@x.com"
        );
    }

    #[test]
    fn five_thousand_addresses_parse_in_order() {
        let input: Vec<String> = (0..5000).map(|i| format!("user{i}@example.com")).collect();
        let found = parse(&input.join("\n"), &HashSet::new());
        assert_eq!(found.len(), 5000);
        assert!(
            found
                .iter()
                .all(|candidate| candidate.verdict == Verdict::Valid)
        );
    }

    proptest! {
        #[test]
        fn garbage_never_panics_and_spans_stay_in_bounds(input in "\\PC{0,400}") {
            let candidates = parse(&input, &HashSet::new());
            for candidate in &candidates {
                prop_assert!(candidate.span.start <= candidate.span.end && candidate.span.end <= input.len());
                prop_assert!(input.is_char_boundary(candidate.span.start) && input.is_char_boundary(candidate.span.end));
                let _ = remove_span(&input, candidate.span.clone());
            }
            for cell in read(&input, &HashSet::new()).ignored {
                prop_assert_eq!(&input[cell.span.clone()], cell.text.as_str());
                let _ = bring_back(&input, cell.span);
            }
        }

        #[test]
        fn any_separator_mix_finds_every_address(count in 1usize..20, separators in proptest::collection::vec(prop_oneof![Just(","), Just(";"), Just(" "), Just("\t"), Just("\n"), Just(", "), Just(" ;\n")], 20)) {
            let emails: Vec<String> = (0..count).map(|i| format!("person{i}@example.com")).collect();
            let mut input = String::new();
            for (i, email) in emails.iter().enumerate() {
                input.push_str(email);
                input.push_str(separators[i % separators.len()]);
            }
            prop_assert_eq!(addresses(&input), emails);
        }
    }
}
