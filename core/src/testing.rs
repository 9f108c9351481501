//! What tests of every crate build invitations with (the `testing` feature; always on in this
//! crate's own tests).

use chrono::{DateTime, Utc};

use crate::OrganizationInvitation;
use crate::invitation::INVITATION_LIFETIME;

/// A pending, unaccepted invitation created at `created_at`, expiring a lifetime later, as the
/// server would store it.
pub fn invitation(id: &str, email: &str, created_at: DateTime<Utc>) -> OrganizationInvitation {
    OrganizationInvitation {
        id: id.into(),
        email: email.into(),
        organization_id: "org_test".into(),
        accepted_at: None,
        created_at,
        expires_at: created_at + INVITATION_LIFETIME,
        #[cfg(feature = "delivery")]
        delivery: None,
    }
}
