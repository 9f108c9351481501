//! Lists as spreadsheet files: RFC 4180 CSV with a header row, in which no cell can run as a
//! formula. The console exports the invitation list's current view with it; the server
//! writes the audit trail's CSV with it.

use chrono::{DateTime, NaiveDate, Utc};

use crate::OrganizationInvitation;
use crate::datetime::format_iso_utc;
use crate::messages::Key;
use crate::status::Status;

/// The exported list's columns, by their words' keys: the Anyscale CLI's four (dates as the
/// console shows them), the status, and both dates again as ISO 8601 in UTC for programs.
pub const INVITATION_COLUMNS: [Key; 7] = [
    crate::key!("column.id"),
    crate::key!("column.email"),
    crate::key!("column.created_at"),
    crate::key!("column.expires_at"),
    crate::key!("csv.status"),
    crate::key!("csv.created_utc"),
    crate::key!("csv.expires_utc"),
];

/// CSV of `rows` under `header`, lines ending in CRLF as RFC 4180 has them. Written here
/// rather than with the `csv` crate: its writer added 17 KiB (brotli) to the console, for what
/// RFC 4180's writing rules need, which is the quoting below.
pub fn csv_document<R, C>(header: &[&str], rows: R) -> String
where
    R: IntoIterator<Item = C>,
    C: IntoIterator<Item = String>,
{
    let mut document = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = String>| {
        for (index, cell) in cells.enumerate() {
            if index > 0 {
                document.push(',');
            }
            push_quoted(&mut document, &neutralised(&cell));
        }
        document.push_str("\r\n");
    };
    line(&mut header.iter().map(|cell| (*cell).to_owned()));
    for row in rows {
        line(&mut row.into_iter());
    }
    document
}

/// A cell as RFC 4180 writes it: in double quotes (its own doubled) when it holds a comma, a
/// quote (line breaks never reach it: [`neutralised`] pictures them), else as it is.
fn push_quoted(document: &mut String, cell: &str) {
    if cell.contains([',', '"']) {
        document.push('"');
        document.push_str(&cell.replace('"', "\"\""));
        document.push('"');
    } else {
        document.push_str(cell);
    }
}

/// A cell a spreadsheet would run as a formula (one that starts with `=`, `+`, `-`, `@`, a
/// tab or a carriage return, as OWASP lists them) gets a leading `'`, which spreadsheets show
/// as text. Control characters other than tab (an escape sequence, which a terminal showing
/// the file would obey) are written as their visible pictures (`␛`), and so is every line
/// break (`␍␊`; `␤` for U+0085, U+2028 and U+2029): a cell is one line, so a value stored by a
/// stranger can never read as a row of its own. Other C1 controls become U+FFFD.
fn neutralised(cell: &str) -> String {
    let starts_a_formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let visible: String = cell
        .chars()
        .map(|c| match c {
            '\t' => c,
            '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
            '\u{7f}' => '\u{2421}',
            '\u{85}' | '\u{2028}' | '\u{2029}' => '\u{2424}',
            '\u{80}'..='\u{9f}' => '\u{fffd}',
            _ => c,
        })
        .collect();
    if starts_a_formula {
        format!("'{visible}")
    } else {
        visible
    }
}

/// The invitations, in the order given, as [`INVITATION_COLUMNS`] in the viewer's `words`
/// (the headers and each status); `shown` writes a date as the console shows it, `now`
/// decides each status, and the ISO columns stay as they are, for programs.
pub fn invitations_csv<'a>(
    words: impl Fn(Key) -> String,
    invitations: impl IntoIterator<Item = &'a OrganizationInvitation>,
    shown: impl Fn(DateTime<Utc>) -> String,
    now: DateTime<Utc>,
) -> String {
    let columns = INVITATION_COLUMNS.map(&words);
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    csv_document(
        &columns,
        invitations.into_iter().map(|invitation| {
            [
                invitation.id.clone(),
                invitation.email.clone(),
                shown(invitation.created_at),
                shown(invitation.expires_at),
                words(Status::of_instant(invitation.expires_at, now).message_key()),
                format_iso_utc(invitation.created_at),
                format_iso_utc(invitation.expires_at),
            ]
        }),
    )
}

/// `invitations-acme-platform-2026-11-28.csv`: the organization (as letters, digits and
/// hyphens) and the day, so two exports do not overwrite each other's names by surprise.
pub fn file_name(organization: Option<&str>, day: NaiveDate) -> String {
    let slug = organization
        .unwrap_or_default()
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let day = crate::datetime::format_iso_day(day);
    if slug.is_empty() {
        format!("invitations-{day}.csv")
    } else {
        format!("invitations-{slug}-{day}.csv")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::invitation;

    #[test]
    fn quotes_what_needs_it_defuses_formulas_and_ends_lines_in_crlf() {
        let document = csv_document(
            &["a", "b"],
            [
                vec!["=SUM(A1)".to_owned(), "x, \"y\"".to_owned()],
                vec!["+1".to_owned(), "-2@x.com".to_owned()],
                vec!["@home".to_owned(), "no, line\nbreak".to_owned()],
            ],
        );
        assert_eq!(
            document,
            "a,b\r\n'=SUM(A1),\"x, \"\"y\"\"\"\r\n'+1,'-2@x.com\r\n'@home,\"no, line␊break\"\r\n"
        );
    }

    #[test]
    fn tabs_returns_and_escape_sequences_cannot_reach_a_spreadsheet_or_a_terminal() {
        let document = csv_document(
            &["a"],
            [
                vec!["\tcmd".to_owned()],
                vec!["\r=1".to_owned()],
                vec!["\u{1b}[31mred\u{7f}\u{9b}1m".to_owned()],
            ],
        );
        assert_eq!(document, "a\r\n'\tcmd\r\n'␍=1\r\n␛[31mred␡\u{fffd}1m\r\n");
        assert!(!document.contains('\u{1b}'));
    }

    #[test]
    fn no_line_break_of_any_kind_starts_a_row_a_terminal_would_show() {
        // An audit record's refused "address" must not read as a record of its own.
        let cells = [
            "x@y\r\nalice revoked the CEO's invitation",
            "a\u{85}b",
            "a\u{2028}b",
            "a\u{2029}b",
            "a\u{b}b\u{c}c",
        ];
        let document = csv_document(&["a"], cells.iter().map(|cell| vec![(*cell).to_owned()]));
        assert_eq!(
            document,
            "a\r\nx@y␍␊alice revoked the CEO's invitation\r\na␤b\r\na␤b\r\na␤b\r\na␋b␌c\r\n"
        );
        assert_eq!(document.lines().count(), cells.len() + 1);
    }

    proptest::proptest! {
        #[test]
        fn a_real_csv_reader_reads_back_every_cell(rows in proptest::collection::vec(proptest::collection::vec("\\PC{0,12}|[,\"\r\n =+@-]{0,4}", 3), 0..8)) {
            let document = csv_document(&["a", "b", "c"], rows.clone());
            let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(document.as_bytes());
            let read: Vec<Vec<String>> = reader
                .records()
                .map(|record| record.unwrap().iter().map(str::to_owned).collect())
                .collect();
            let expected: Vec<Vec<String>> = rows
                .iter()
                .map(|row| row.iter().map(|cell| neutralised(cell)).collect())
                .collect();
            proptest::prop_assert_eq!(read, expected);
        }
    }

    #[test]
    fn invitations_carry_the_shown_dates_the_status_and_utc_dates() {
        let now = crate::datetime::rfc3339::parse("2026-11-28T12:00:00Z").unwrap();
        let pending = invitation("orginv_a", "=a@x.com", now - chrono::TimeDelta::days(1));
        let expired = invitation("orginv_b", "b@x.com", now - chrono::TimeDelta::days(8));
        let english = crate::messages::Catalog::english();
        let document = invitations_csv(
            |key| english.text(key).to_owned(),
            [&pending, &expired],
            |at| crate::datetime::format_cli(at, &Utc),
            now,
        );
        let lines: Vec<&str> = document.split("\r\n").collect();
        assert_eq!(
            lines[0],
            "ID,Email,Created At,Expires At,Status,Created At (UTC),Expires At (UTC)"
        );
        assert_eq!(
            lines[1],
            "orginv_a,'=a@x.com,11/27/2026 12:00 PM,12/04/2026 12:00 PM,Pending,2026-11-27T12:00:00Z,2026-12-04T12:00:00Z"
        );
        assert_eq!(
            lines[2],
            "orginv_b,b@x.com,11/20/2026 12:00 PM,11/27/2026 12:00 PM,Expired,2026-11-20T12:00:00Z,2026-11-27T12:00:00Z"
        );
        assert_eq!(lines[3], "", "the last line ends in CRLF too");
    }

    #[test]
    fn the_file_name_carries_the_organization_and_the_day() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        assert_eq!(
            file_name(Some("Acme Platform (EU)"), day),
            "invitations-acme-platform-eu-2026-11-28.csv"
        );
        assert_eq!(file_name(Some("  "), day), "invitations-2026-11-28.csv");
        assert_eq!(file_name(None, day), "invitations-2026-11-28.csv");
        assert_eq!(
            file_name(Some("Café/Ünïcode"), day),
            "invitations-café-ünïcode-2026-11-28.csv"
        );
    }
}
