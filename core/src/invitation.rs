//! The invitation object as the API sends it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::datetime::rfc3339;

/// How long an invitation stays pending after it is created.
pub const INVITATION_LIFETIME: chrono::TimeDelta = chrono::TimeDelta::days(7);

/// The address of the project's server's one local owner. The owner is already a member, so
/// inviting this address is refused.
pub const OWNER_EMAIL: &str = "owner@example.com";

/// One organization invitation. Unknown extra fields on the wire are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganizationInvitation {
    /// `orginv_…`, unique and URL-safe.
    pub id: String,
    pub email: String,
    pub organization_id: String,
    #[serde(default, with = "rfc3339::option")]
    pub accepted_at: Option<DateTime<Utc>>,
    #[serde(with = "rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "rfc3339")]
    pub expires_at: DateTime<Utc>,
    /// How its mail fares, on this project's server (an extension the Anyscale CLI ignores);
    /// absent from other servers and from gateway mode.
    // Only with the `delivery` feature (the server): the console leaves it out until it shows
    // it (reading it, even to drop it, cost the console 1 KiB brotli).
    #[cfg(feature = "delivery")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
}

/// How an invitation's mail fares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Delivery {
    pub state: DeliveryState,
    /// Attempts made so far.
    pub attempts: u32,
    #[serde(default, with = "rfc3339::option")]
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// The mail server's last answer when it refused, or why the mail could not go.
    #[serde(default)]
    pub error: Option<String>,
    /// This is the reminder mail (`--remind-before`), sent after the invitation's own.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reminder: bool,
}

/// Where an invitation's mail stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for (another) attempt: nothing has reached a mail server yet.
    Queued,
    /// A mail server accepted it.
    Sent,
    /// Written to the server's mail folder, no mail server being configured.
    Written,
    /// Refused for good (or the invitation expired first): `error` says why.
    Failed,
}

impl DeliveryState {
    /// The name it is stored and sent under.
    pub fn name(self) -> &'static str {
        match self {
            DeliveryState::Queued => "queued",
            DeliveryState::Sent => "sent",
            DeliveryState::Written => "written",
            DeliveryState::Failed => "failed",
        }
    }

    /// The state stored as `name`; `None` for one that is no delivery to show (withdrawn).
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Queued, Self::Sent, Self::Written, Self::Failed]
            .into_iter()
            .find(|state| state.name() == name)
    }
}

impl OrganizationInvitation {
    /// The fields every server sends, for a reader of the wire that is not serde (the
    /// console's list); an extension such as `delivery` is left out.
    pub fn from_fields(
        id: String,
        email: String,
        organization_id: String,
        accepted_at: Option<DateTime<Utc>>,
        created_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            email,
            organization_id,
            accepted_at,
            created_at,
            expires_at,
            #[cfg(feature = "delivery")]
            delivery: None,
        }
    }

    /// Expired invitations can no longer be accepted; `now` is passed in so callers and tests
    /// agree on one instant.
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at <= now
    }
}

/// An id short enough for a narrow column: its kind prefix (`orginv_`), the first and the last
/// four characters of the rest, and an ellipsis between ("orginv_113c…f1zr"). Ids short enough
/// already come back whole; the whole value belongs in an accessible name beside it.
pub fn shortened_id(id: &str) -> std::borrow::Cow<'_, str> {
    const KEPT: usize = 4;
    let (prefix, rest) = match id.find('_') {
        Some(at) if at < 12 => id.split_at(at + 1),
        _ => ("", id),
    };
    let count = rest.chars().count();
    if count <= 2 * KEPT + 2 {
        return id.into();
    }
    let head: String = rest.chars().take(KEPT).collect();
    let tail: String = rest.chars().skip(count - KEPT).collect();
    format!("{prefix}{head}…{tail}").into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_ids_are_shortened_in_the_middle_and_short_ones_kept() {
        assert_eq!(shortened_id("orginv_113cy4f1zrq8w2k9"), "orginv_113c…w2k9");
        assert_eq!(shortened_id("orginv_00001"), "orginv_00001");
        assert_eq!(shortened_id("orginv_0123456789"), "orginv_0123456789");
        assert_eq!(shortened_id("orginv_01234567890"), "orginv_0123…7890");
        // No prefix to keep, and characters beyond ASCII counted whole.
        assert_eq!(shortened_id("ééééééééééé"), "éééé…éééé");
        assert_eq!(shortened_id(""), "");
    }

    const SPEC_EXAMPLE: &str = r#"{"id": "orginv_k2m8w4", "email": "test@anyscale.com",
        "organization_id": "org_1", "accepted_at": null,
        "created_at": "2024-11-25T22:24:00+00:00", "expires_at": "2024-12-02T22:24:00+00:00"}"#;

    #[test]
    fn parses_the_spec_example() {
        let inv: OrganizationInvitation = serde_json::from_str(SPEC_EXAMPLE).unwrap();
        assert_eq!(inv.email, "test@anyscale.com");
        assert_eq!(inv.expires_at - inv.created_at, INVITATION_LIFETIME);
        assert_eq!(inv.accepted_at, None);
    }

    #[test]
    fn serialises_dates_with_an_explicit_offset_and_round_trips() {
        let inv: OrganizationInvitation = serde_json::from_str(SPEC_EXAMPLE).unwrap();
        let json = serde_json::to_value(&inv).unwrap();
        assert_eq!(json["created_at"], "2024-11-25T22:24:00+00:00");
        assert_eq!(json["accepted_at"], serde_json::Value::Null);
        let back: OrganizationInvitation = serde_json::from_value(json).unwrap();
        assert_eq!(back, inv);
    }

    #[test]
    fn ignores_unknown_fields_and_accepts_a_missing_accepted_at_and_z_offsets() {
        let inv: OrganizationInvitation = serde_json::from_str(
            r#"{"id": "orginv_a", "email": "a@x.com", "organization_id": "org_1",
                "created_at": "2024-11-25T22:24:00Z", "expires_at": "2024-12-03T01:24:00+03:00",
                "invited_by": "someone"}"#,
        )
        .unwrap();
        assert_eq!(inv.expires_at - inv.created_at, INVITATION_LIFETIME);
    }

    #[test]
    fn rejects_naive_or_numeric_dates() {
        for created in [r#""2024-11-25T22:24:00""#, "1732573440"] {
            let json = format!(
                r#"{{"id": "orginv_a", "email": "a@x.com", "organization_id": "org_1",
                    "created_at": {created}, "expires_at": "2024-12-02T22:24:00Z"}}"#
            );
            assert!(
                serde_json::from_str::<OrganizationInvitation>(&json).is_err(),
                "{created}"
            );
        }
    }

    #[test]
    fn expiry_is_inclusive_of_the_expiry_instant() {
        let inv: OrganizationInvitation = serde_json::from_str(SPEC_EXAMPLE).unwrap();
        assert!(!inv.is_expired(inv.expires_at - chrono::TimeDelta::seconds(1)));
        assert!(inv.is_expired(inv.expires_at));
    }
}
