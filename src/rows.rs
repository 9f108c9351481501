//! Invitations as the list holds them: each with its lower-cased email kept beside it, so
//! searching 10,000 rows does no allocation per keystroke.

use std::sync::Arc;

use org_invitations_core::OrganizationInvitation;
use org_invitations_core::listing::{Search, Sort};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub invitation: OrganizationInvitation,
    pub email_lower: String,
}

impl From<OrganizationInvitation> for Row {
    fn from(invitation: OrganizationInvitation) -> Self {
        Self { email_lower: invitation.email.to_lowercase(), invitation }
    }
}

/// Every loaded row, shared by reference between the list's derived views.
pub type Rows = Arc<Vec<Row>>;

pub fn rows_from(invitations: Vec<OrganizationInvitation>) -> Rows {
    Arc::new(invitations.into_iter().map(Row::from).collect())
}

/// Positions in `rows` of the rows to show, in display order.
pub fn visible_positions(rows: &[Row], search: &Search, show_expired: bool, now: chrono::DateTime<chrono::Utc>, sort: Sort) -> Vec<usize> {
    let mut positions: Vec<usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, row)| show_expired || !row.invitation.is_expired(now))
        .filter(|(_, row)| search.is_empty() || search.matches_lowercase(&row.email_lower))
        .map(|(position, _)| position)
        .collect();
    positions.sort_unstable_by(|a, b| sort.compare(&rows[*a].invitation, &rows[*b].invitation));
    positions
}
