//! Invitations as the console's list holds them: each with its case-folded email kept beside it, so
//! searching and sorting 10,000 rows lower-case nothing per keystroke or click.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};

use crate::OrganizationInvitation;
use crate::listing::{ExpiryDay, Search, Sort, fold_case};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub invitation: OrganizationInvitation,
    /// The email's `fold_case`, for searching and sorting without lower-casing each time.
    pub email_folded: String,
}

impl From<OrganizationInvitation> for Row {
    fn from(invitation: OrganizationInvitation) -> Self {
        Self {
            email_folded: fold_case(&invitation.email),
            invitation,
        }
    }
}

/// Every loaded row, shared by reference between the list's derived views.
pub type Rows = Arc<Vec<Row>>;

pub fn rows_from(invitations: Vec<OrganizationInvitation>) -> Rows {
    Arc::new(invitations.into_iter().map(Row::from).collect())
}

/// What the list shows: which rows, in which order.
pub struct Shown<'a> {
    pub search: &'a Search,
    pub show_expired: bool,
    pub now: DateTime<Utc>,
    pub sort: Sort,
    /// Ids out of the list for now (their deletion waits or runs).
    pub hidden: &'a std::collections::HashSet<String>,
    /// Narrowed to one bar of the expiry timeline, with the day an instant falls on.
    pub expires: Option<(ExpiryDay, &'a dyn Fn(DateTime<Utc>) -> NaiveDate)>,
}

/// Positions in `rows` of the rows to show, in display order.
pub fn visible_positions(rows: &[Row], shown: Shown<'_>) -> Vec<usize> {
    let Shown {
        search,
        show_expired,
        now,
        sort,
        hidden,
        expires,
    } = shown;
    let mut positions: Vec<usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, row)| show_expired || !row.invitation.is_expired(now))
        .filter(|(_, row)| hidden.is_empty() || !hidden.contains(&row.invitation.id))
        .filter(|(_, row)| search.is_empty() || search.matches_folded(&row.email_folded))
        .filter(|(_, row)| {
            expires.is_none_or(|(day, day_of)| day.holds(row.invitation.expires_at, now, day_of))
        })
        .map(|(position, _)| position)
        .collect();
    positions.sort_unstable_by(|a, b| {
        let (a, b) = (&rows[*a], &rows[*b]);
        sort.compare_folded(
            (&a.invitation, &a.email_folded),
            (&b.invitation, &b.email_folded),
        )
    });
    positions
}

/// Which slice of the shown rows the table renders: the rows in the viewport and `overscan`
/// more beyond each edge, so fast scrolling shows no gap. Returns `first..end` in display order.
pub fn rendered_window(
    scroll_top: f64,
    viewport: f64,
    row_height: f64,
    overscan: usize,
    total: usize,
) -> std::ops::Range<usize> {
    let first = ((scroll_top / row_height) as usize)
        .saturating_sub(overscan)
        .min(total);
    let count = (viewport / row_height).ceil() as usize + 2 * overscan;
    first..(first + count).min(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::listing::{SortColumn, SortDirection};
    use crate::testing::invitation;
    use chrono::{TimeDelta, TimeZone, Utc};
    use std::collections::HashSet;

    fn now() -> chrono::DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 10, 12, 0, 0).unwrap()
    }

    fn rows() -> Rows {
        rows_from(vec![
            invitation("orginv_a", "Carl@example.com", now() - TimeDelta::days(1)),
            invitation("orginv_b", "ann@example.com", now() - TimeDelta::hours(1)),
            invitation("orginv_c", "bob@example.com", now() - TimeDelta::days(9)),
        ])
    }

    fn ids(rows: &[Row], positions: &[usize]) -> Vec<String> {
        positions
            .iter()
            .map(|position| rows[*position].invitation.id.clone())
            .collect()
    }

    #[test]
    fn rows_keep_their_email_case_folded() {
        assert_eq!(rows()[0].email_folded, "carl@example.com");
    }

    #[test]
    fn visible_positions_filter_by_search_expiry_and_hidden_then_sort() {
        let rows = rows();
        let by_email = Sort {
            column: SortColumn::Email,
            direction: SortDirection::Ascending,
        };
        let none = HashSet::new();
        let everything = Search::new("");
        let all = visible_positions(
            &rows,
            Shown {
                search: &everything,
                show_expired: true,
                now: now(),
                sort: by_email,
                hidden: &none,
                expires: None,
            },
        );
        assert_eq!(ids(&rows, &all), ["orginv_b", "orginv_c", "orginv_a"]);

        let hidden: HashSet<String> = ["orginv_b".to_owned()].into();
        let search = Search::new("EXAMPLE");
        let some = visible_positions(
            &rows,
            Shown {
                search: &search,
                show_expired: false,
                now: now(),
                sort: by_email,
                hidden: &hidden,
                expires: None,
            },
        );
        assert_eq!(ids(&rows, &some), ["orginv_a"], "b hidden, c expired");

        // One bar of the expiry timeline: a expires in 6 days, b in 7 (UTC days here).
        let day_of = |at: DateTime<Utc>| at.date_naive();
        let on = |day: ExpiryDay| {
            let positions = visible_positions(
                &rows,
                Shown {
                    search: &everything,
                    show_expired: true,
                    now: now(),
                    sort: by_email,
                    hidden: &none,
                    expires: Some((day, &day_of)),
                },
            );
            ids(&rows, &positions)
        };
        let today = now().date_naive();
        assert_eq!(on(ExpiryDay::On(today + TimeDelta::days(6))), ["orginv_a"]);
        assert_eq!(on(ExpiryDay::On(today + TimeDelta::days(7))), ["orginv_b"]);
        assert_eq!(on(ExpiryDay::On(today)), Vec::<String>::new());
        assert_eq!(on(ExpiryDay::Expired), ["orginv_c"]);
    }

    #[test]
    fn the_window_covers_the_viewport_and_the_overscan_and_stays_in_bounds() {
        // At the top: 800 px of 40 px rows is 20 rows, plus 10 below.
        assert_eq!(rendered_window(0.0, 800.0, 40.0, 10, 10_000), 0..40);
        // Scrolled to row 100: ten rows above it are rendered too.
        assert_eq!(rendered_window(4000.0, 800.0, 40.0, 10, 10_000), 90..130);
        // Near the end nothing past the last row.
        assert_eq!(
            rendered_window(399_000.0, 800.0, 40.0, 10, 10_000),
            9965..10_000
        );
        // Fewer rows than fit.
        assert_eq!(rendered_window(0.0, 800.0, 40.0, 10, 3), 0..3);
        assert_eq!(rendered_window(500.0, 800.0, 40.0, 10, 0), 0..0);
    }
}
