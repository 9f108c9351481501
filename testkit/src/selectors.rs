//! CSS selectors of what tests look at in the console, in one place for the browser tests
//! (`tests/`, which include this file by path: they run in wasm, without testkit) and the
//! end-to-end tests. A renamed class breaks here, once.

/// Every rendered data row of the invitation table (not the spacers, not the skeleton).
pub const ROWS: &str = ".oi-table tbody tr.oi-row";
/// The whole id (the cell also shows it shortened, for eyes only).
pub const ROW_IDS: &str = ".oi-table tbody tr.oi-row td.oi-id .oi-id-full";
pub const ROW_EMAILS: &str = ".oi-table tbody tr.oi-row td.oi-email";
pub const ROW_DATES: &str = ".oi-table tbody tr.oi-row td.oi-date";
pub const ROW_BADGES: &str = ".oi-table tbody tr.oi-row .oi-badge";
pub const ROW_RELATIVE_TIMES: &str = ".oi-table tbody tr.oi-row .oi-relative";
/// Why a row's deletion failed, shown in the row.
pub const ROW_ERRORS: &str = ".oi-row-error";
/// The list's "nothing to show" sentences.
pub const EMPTY: &str = ".oi-empty";
/// A load that failed, with its Retry.
pub const LOAD_ERROR: &str = ".oi-error";
/// The invite preview's counts.
pub const TALLY: &str = ".oi-tally";
/// "N cells ignored (not addresses)" under the invite form.
pub const IGNORED_SUMMARY: &str = ".oi-ignored summary";
/// Each spreadsheet cell the invite form set aside.
pub const IGNORED_CELLS: &str = ".oi-ignored-cell";
/// The first line of what happened after sending.
pub const RESULTS_HEADLINE: &str = ".oi-results-headline";
/// One line per address after sending.
pub const RESULT_LINES: &str = ".oi-result-lines li";
/// A notice under the results (e.g. why sending stopped).
pub const RESULTS_NOTICE: &str = ".oi-results .oi-notice";
/// One deletion notice (undo, progress, outcome).
pub const DELETION_NOTICES: &str = ".oi-notice-item";
/// The confirmation dialog's Delete button.
pub const DIALOG_DELETE: &str = "dialog button.oi-danger";
