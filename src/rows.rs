//! Invitations as the list holds them: each with its case-folded email kept beside it, so
//! searching and sorting 10,000 rows lower-case nothing per keystroke or click.

use std::sync::Arc;

use org_invitations_core::OrganizationInvitation;
use org_invitations_core::listing::{Search, Sort, fold_case};

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
    pub now: chrono::DateTime<chrono::Utc>,
    pub sort: Sort,
    /// Ids out of the list for now (their deletion waits or runs).
    pub hidden: &'a std::collections::HashSet<String>,
}

/// Positions in `rows` of the rows to show, in display order.
pub fn visible_positions(rows: &[Row], shown: Shown<'_>) -> Vec<usize> {
    let Shown {
        search,
        show_expired,
        now,
        sort,
        hidden,
    } = shown;
    let mut positions: Vec<usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, row)| show_expired || !row.invitation.is_expired(now))
        .filter(|(_, row)| hidden.is_empty() || !hidden.contains(&row.invitation.id))
        .filter(|(_, row)| search.is_empty() || search.matches_folded(&row.email_folded))
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
