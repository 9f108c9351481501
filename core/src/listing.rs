//! How the console lists invitations: sorting by value, searching by email, and the view
//! state that lives in the page's URL query.

use std::cmp::Ordering;

use chrono::{DateTime, NaiveDate, Utc};

use crate::OrganizationInvitation;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortColumn {
    Id,
    Email,
    CreatedAt,
    ExpiresAt,
}

impl SortColumn {
    pub const ALL: [SortColumn; 4] = [
        SortColumn::Id,
        SortColumn::Email,
        SortColumn::CreatedAt,
        SortColumn::ExpiresAt,
    ];

    /// The key of the column header's words (`crate::english`).
    pub fn message_key(self) -> crate::messages::Key {
        match self {
            SortColumn::Id => crate::key!("column.id"),
            SortColumn::Email => crate::key!("column.email"),
            SortColumn::CreatedAt => crate::key!("column.created_at"),
            SortColumn::ExpiresAt => crate::key!("column.expires_at"),
        }
    }

    /// The column header, exactly as the Anyscale CLI prints it.
    pub fn label(self) -> &'static str {
        match self {
            SortColumn::Id => "ID",
            SortColumn::Email => "Email",
            SortColumn::CreatedAt => "Created At",
            SortColumn::ExpiresAt => "Expires At",
        }
    }

    /// The name used in the URL query.
    pub fn param(self) -> &'static str {
        match self {
            SortColumn::Id => "id",
            SortColumn::Email => "email",
            SortColumn::CreatedAt => "created_at",
            SortColumn::ExpiresAt => "expires_at",
        }
    }

    pub fn from_param(param: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|column| column.param() == param)
    }

    /// Dates open newest first, text A to Z.
    fn first_direction(self) -> SortDirection {
        match self {
            SortColumn::CreatedAt | SortColumn::ExpiresAt => SortDirection::Descending,
            SortColumn::Id | SortColumn::Email => SortDirection::Ascending,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortDirection {
    Ascending,
    Descending,
}

impl SortDirection {
    pub fn param(self) -> &'static str {
        match self {
            SortDirection::Ascending => "asc",
            SortDirection::Descending => "desc",
        }
    }

    /// The key of the direction in words (`crate::english`).
    pub fn message_key(self) -> crate::messages::Key {
        match self {
            SortDirection::Ascending => crate::key!("sort.ascending"),
            SortDirection::Descending => crate::key!("sort.descending"),
        }
    }

    /// The value of the header's `aria-sort`.
    pub fn aria(self) -> &'static str {
        match self {
            SortDirection::Ascending => "ascending",
            SortDirection::Descending => "descending",
        }
    }

    fn reversed(self) -> Self {
        match self {
            SortDirection::Ascending => SortDirection::Descending,
            SortDirection::Descending => SortDirection::Ascending,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sort {
    pub column: SortColumn,
    pub direction: SortDirection,
}

impl Default for Sort {
    /// Newest first.
    fn default() -> Self {
        Self {
            column: SortColumn::CreatedAt,
            direction: SortDirection::Descending,
        }
    }
}

impl Sort {
    /// What activating a column's header does: the same column flips, another starts in its
    /// natural direction.
    pub fn toggled(self, column: SortColumn) -> Self {
        if self.column == column {
            Self {
                column,
                direction: self.direction.reversed(),
            }
        } else {
            Self {
                column,
                direction: column.first_direction(),
            }
        }
    }

    /// Compares two invitations by value; equal values fall back to the id, ascending,
    /// so the order is total and the same on every render.
    pub fn compare(self, a: &OrganizationInvitation, b: &OrganizationInvitation) -> Ordering {
        self.compare_with(a, b, || caseless_cmp(&a.email, &b.email))
    }

    /// [`Sort::compare`] for callers that keep each email's [`fold_case`]: the same order,
    /// without lower-casing on every comparison.
    pub fn compare_folded(
        self,
        (a, a_folded): (&OrganizationInvitation, &str),
        (b, b_folded): (&OrganizationInvitation, &str),
    ) -> Ordering {
        self.compare_with(a, b, || a_folded.cmp(b_folded))
    }

    fn compare_with(
        self,
        a: &OrganizationInvitation,
        b: &OrganizationInvitation,
        by_email: impl FnOnce() -> Ordering,
    ) -> Ordering {
        let by_value = match self.column {
            SortColumn::Id => a.id.cmp(&b.id),
            SortColumn::Email => by_email(),
            SortColumn::CreatedAt => a.created_at.cmp(&b.created_at),
            SortColumn::ExpiresAt => a.expires_at.cmp(&b.expires_at),
        };
        let by_value = match self.direction {
            SortDirection::Ascending => by_value,
            SortDirection::Descending => by_value.reverse(),
        };
        by_value.then_with(|| a.id.cmp(&b.id))
    }
}

/// Orders text ignoring case (`ann` < `Bob` < `carl`), with no allocation per comparison.
/// Comparing two [`fold_case`] results gives the same order.
fn caseless_cmp(a: &str, b: &str) -> Ordering {
    a.chars()
        .flat_map(char::to_lowercase)
        .cmp(b.chars().flat_map(char::to_lowercase))
}

/// The text that sorting and searching compare: every character lower-cased on its own.
/// Callers that sort or search many times keep it beside each row.
pub fn fold_case(text: &str) -> String {
    text.chars().flat_map(char::to_lowercase).collect()
}

/// A search as typed: matched against emails as a case-insensitive substring.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search {
    needle: String,
}

impl Search {
    pub fn new(typed: &str) -> Self {
        Self {
            needle: fold_case(typed.trim()),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.needle.is_empty()
    }

    /// `folded_email` must be the email's [`fold_case`] (the console keeps it so per row).
    pub fn matches_folded(&self, folded_email: &str) -> bool {
        folded_email.contains(&self.needle)
    }

    pub fn matches(&self, invitation: &OrganizationInvitation) -> bool {
        self.is_empty() || self.matches_folded(&fold_case(&invitation.email))
    }
}

/// A bar of the expiry timeline, which the list can be narrowed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExpiryDay {
    /// Every expired invitation.
    Expired,
    /// Pending invitations that expire on this day (in the time zone dates are shown in).
    On(NaiveDate),
}

impl ExpiryDay {
    /// `expired`, or the day as `2026-11-30`, in the URL query.
    pub fn param(self) -> String {
        match self {
            ExpiryDay::Expired => "expired".to_owned(),
            ExpiryDay::On(day) => crate::datetime::format_iso_day(day),
        }
    }

    pub fn from_param(param: &str) -> Option<Self> {
        if param == "expired" {
            return Some(ExpiryDay::Expired);
        }
        let mut parts = param.splitn(3, '-').map(str::parse::<u32>);
        match (parts.next(), parts.next(), parts.next()) {
            (Some(Ok(year)), Some(Ok(month)), Some(Ok(day))) => {
                NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day).map(ExpiryDay::On)
            }
            _ => None,
        }
    }

    /// Whether an invitation expiring at `expires_at` belongs to this bar; `day_of` gives the
    /// day an instant falls on where dates are shown.
    pub fn holds(
        self,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
        day_of: impl Fn(DateTime<Utc>) -> NaiveDate,
    ) -> bool {
        let expired = expires_at <= now;
        match self {
            ExpiryDay::Expired => expired,
            ExpiryDay::On(day) => !expired && day_of(expires_at) == day,
        }
    }
}

/// Everything about how the list is shown that a bookmark should keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListView {
    pub sort: Sort,
    /// The search box's text as typed.
    pub search: String,
    pub show_expired: bool,
    /// Narrowed to one bar of the expiry timeline.
    pub expires: Option<ExpiryDay>,
}

impl Default for ListView {
    fn default() -> Self {
        Self {
            sort: Sort::default(),
            search: String::new(),
            show_expired: true,
            expires: None,
        }
    }
}

impl ListView {
    /// Reads the view from URL query pairs; unknown keys and bad values fall back to defaults.
    pub fn from_query<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut view = Self::default();
        let mut direction = None;
        for (key, value) in pairs {
            match key {
                "sort" => {
                    if let Some(column) = SortColumn::from_param(value) {
                        view.sort = Sort {
                            column,
                            direction: column.first_direction(),
                        };
                    }
                }
                "dir" => {
                    direction = match value {
                        "asc" => Some(SortDirection::Ascending),
                        "desc" => Some(SortDirection::Descending),
                        _ => None,
                    }
                }
                // A blank search is no search (and is not written back): found by fuzzing.
                "q" if !value.trim().is_empty() => view.search = value.to_owned(),
                "expired" => view.show_expired = value != "hide",
                "expires" => view.expires = ExpiryDay::from_param(value),
                _ => {}
            }
        }
        if let Some(direction) = direction {
            view.sort.direction = direction;
        }
        view
    }

    /// The query pairs for this view; defaults are left out so plain URLs stay plain.
    pub fn to_query(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if self.sort != Sort::default() {
            pairs.push(("sort", self.sort.column.param().to_owned()));
            pairs.push(("dir", self.sort.direction.param().to_owned()));
        }
        if !self.search.trim().is_empty() {
            pairs.push(("q", self.search.clone()));
        }
        if !self.show_expired {
            pairs.push(("expired", "hide".to_owned()));
        }
        if let Some(day) = self.expires {
            pairs.push(("expires", day.param()));
        }
        pairs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datetime::rfc3339;

    fn invitation(id: &str, email: &str, created: &str) -> OrganizationInvitation {
        crate::testing::invitation(id, email, rfc3339::parse(created).unwrap())
    }

    fn ids(rows: &[OrganizationInvitation]) -> Vec<&str> {
        rows.iter().map(|row| row.id.as_str()).collect()
    }

    fn sorted(mut rows: Vec<OrganizationInvitation>, sort: Sort) -> Vec<OrganizationInvitation> {
        rows.sort_by(|a, b| sort.compare(a, b));
        rows
    }

    fn sample() -> Vec<OrganizationInvitation> {
        vec![
            // Display text would sort 12/31/2024 after 01/02/2025; values must not.
            invitation("orginv_c", "carl@x.com", "2024-12-31T23:59:00Z"),
            invitation("orginv_a", "Bob@x.com", "2025-01-02T08:00:00Z"),
            invitation("orginv_b", "ann@x.com", "2024-02-10T12:00:00Z"),
        ]
    }

    #[test]
    fn dates_sort_chronologically_across_a_year_boundary() {
        let newest_first = sorted(sample(), Sort::default());
        assert_eq!(ids(&newest_first), ["orginv_a", "orginv_c", "orginv_b"]);
        let oldest_first = sorted(
            sample(),
            Sort {
                column: SortColumn::ExpiresAt,
                direction: SortDirection::Ascending,
            },
        );
        assert_eq!(ids(&oldest_first), ["orginv_b", "orginv_c", "orginv_a"]);
    }

    #[test]
    fn emails_sort_ignoring_case_in_both_directions() {
        let by_email = Sort {
            column: SortColumn::Email,
            direction: SortDirection::Ascending,
        };
        assert_eq!(
            ids(&sorted(sample(), by_email)),
            ["orginv_b", "orginv_a", "orginv_c"]
        );
        assert_eq!(
            ids(&sorted(sample(), by_email.toggled(SortColumn::Email))),
            ["orginv_c", "orginv_a", "orginv_b"]
        );
    }

    #[test]
    fn non_ascii_emails_sort_by_their_lower_case() {
        let rows = vec![
            invitation("1", "Zoë@x.com", "2024-01-01T00:00:00Z"),
            invitation("2", "élise@x.com", "2024-01-01T00:00:00Z"),
            invitation("3", "ÉMILE@x.com", "2024-01-01T00:00:00Z"),
        ];
        let by_email = Sort {
            column: SortColumn::Email,
            direction: SortDirection::Ascending,
        };
        assert_eq!(
            ids(&sorted(rows, by_email)),
            ["1", "2", "3"],
            "z < é by code point, and É sorts with é"
        );
    }

    #[test]
    fn equal_values_fall_back_to_the_id_in_every_direction() {
        let rows = vec![
            invitation("orginv_2", "same@x.com", "2024-05-05T05:05:05Z"),
            invitation("orginv_3", "SAME@x.com", "2024-05-05T05:05:05Z"),
            invitation("orginv_1", "same@x.com", "2024-05-05T05:05:05Z"),
        ];
        for column in SortColumn::ALL.into_iter().filter(|c| *c != SortColumn::Id) {
            for direction in [SortDirection::Ascending, SortDirection::Descending] {
                let order = sorted(rows.clone(), Sort { column, direction });
                assert_eq!(
                    ids(&order),
                    ["orginv_1", "orginv_2", "orginv_3"],
                    "{column:?} {direction:?}"
                );
            }
        }
    }

    #[test]
    fn toggling_flips_the_same_column_and_starts_others_naturally() {
        let start = Sort::default();
        assert_eq!(
            start.toggled(SortColumn::CreatedAt).direction,
            SortDirection::Ascending
        );
        assert_eq!(
            start.toggled(SortColumn::Email),
            Sort {
                column: SortColumn::Email,
                direction: SortDirection::Ascending
            }
        );
        assert_eq!(
            start.toggled(SortColumn::ExpiresAt).direction,
            SortDirection::Descending
        );
    }

    #[test]
    fn folded_comparison_orders_exactly_as_the_plain_one() {
        let mut rows = sample();
        rows.push(invitation(
            "orginv_d",
            "ΣΟΦΊΑ@x.com",
            "2024-03-03T00:00:00Z",
        ));
        rows.push(invitation(
            "orginv_e",
            "straße@x.com",
            "2024-03-03T00:00:00Z",
        ));
        for column in SortColumn::ALL {
            for direction in [SortDirection::Ascending, SortDirection::Descending] {
                let sort = Sort { column, direction };
                let plain = sorted(rows.clone(), sort);
                let mut folded = rows.clone();
                folded.sort_by(|a, b| {
                    sort.compare_folded((a, &fold_case(&a.email)), (b, &fold_case(&b.email)))
                });
                assert_eq!(ids(&plain), ids(&folded), "{sort:?}");
            }
        }
    }

    #[test]
    fn search_is_a_caseless_substring_of_the_email() {
        let rows = sample();
        let found: Vec<&str> = rows
            .iter()
            .filter(|row| Search::new(" BO ").matches(row))
            .map(|row| row.id.as_str())
            .collect();
        assert_eq!(found, ["orginv_a"]);
        assert!(rows.iter().all(|row| Search::new("").matches(row)));
        assert!(Search::new("ÉLI").matches(&invitation(
            "x",
            "élise@x.com",
            "2024-01-01T00:00:00Z"
        )));
        assert!(!Search::new("zz").matches(&rows[0]));
    }

    #[test]
    fn the_view_round_trips_through_the_query_and_defaults_stay_out_of_it() {
        assert!(ListView::default().to_query().is_empty());
        let view = ListView {
            sort: Sort {
                column: SortColumn::Email,
                direction: SortDirection::Descending,
            },
            search: "ann & co".into(),
            show_expired: false,
            expires: Some(ExpiryDay::On(
                NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
            )),
        };
        let query = view.to_query();
        assert!(query.contains(&("expires", "2026-11-30".to_owned())));
        let back = ListView::from_query(query.iter().map(|(k, v)| (*k, v.as_str())));
        assert_eq!(back, view);
    }

    #[test]
    fn a_hand_edited_query_falls_back_to_defaults() {
        let view = ListView::from_query([
            ("sort", "colour"),
            ("dir", "sideways"),
            ("expired", "show"),
            ("other", "x"),
            ("expires", "2026-13-01"),
        ]);
        assert_eq!(view, ListView::default());
        for bad in ["", "2026-11", "2026-11-30-1", "tomorrow", "-1-1-1"] {
            assert_eq!(ExpiryDay::from_param(bad), None, "{bad}");
        }
        assert_eq!(ExpiryDay::from_param("expired"), Some(ExpiryDay::Expired));
        // A blank search reads as none, so the view writes back the query it was read from.
        assert_eq!(
            ListView::from_query([("q", "\u{b}\u{b}")]),
            ListView::default()
        );
        let only_column = ListView::from_query([("sort", "email")]);
        assert_eq!(
            only_column.sort,
            Sort {
                column: SortColumn::Email,
                direction: SortDirection::Ascending
            }
        );
    }
}
