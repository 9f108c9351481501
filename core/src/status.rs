//! Whether an invitation is pending, about to lapse or expired, in words as well as colour.

use chrono::{DateTime, TimeDelta, Utc};

use crate::OrganizationInvitation;

/// An invitation expiring within this window is flagged as expiring soon.
pub const EXPIRING_SOON: TimeDelta = TimeDelta::hours(24);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Pending,
    ExpiringSoon,
    Expired,
}

impl Status {
    pub fn of(invitation: &OrganizationInvitation, now: DateTime<Utc>) -> Self {
        Self::of_instant(invitation.expires_at, now)
    }

    /// The status of an invitation that expires at `expires_at`.
    pub fn of_instant(expires_at: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        if expires_at <= now {
            Status::Expired
        } else if expires_at - now <= EXPIRING_SOON {
            Status::ExpiringSoon
        } else {
            Status::Pending
        }
    }

    /// The key of the status in words (`crate::english`).
    pub fn message_key(self) -> crate::messages::Key {
        match self {
            Status::Pending => crate::key!("status.pending"),
            Status::ExpiringSoon => crate::key!("status.expiring"),
            Status::Expired => crate::key!("status.expired"),
        }
    }

    /// A class suffix for the status's colour.
    pub fn key(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::ExpiringSoon => "expiring",
            Status::Expired => "expired",
        }
    }
}

/// How many invitations are in each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub pending: usize,
    pub expiring_soon: usize,
    pub expired: usize,
}

impl Summary {
    pub fn of<'a>(
        invitations: impl IntoIterator<Item = &'a OrganizationInvitation>,
        now: DateTime<Utc>,
    ) -> Self {
        let mut summary = Self::default();
        for invitation in invitations {
            match Status::of(invitation, now) {
                Status::Pending => summary.pending += 1,
                Status::ExpiringSoon => summary.expiring_soon += 1,
                Status::Expired => summary.expired += 1,
            }
        }
        summary
    }
}

/// `target` relative to `now` in the largest whole unit, as `Intl.RelativeTimeFormat` takes
/// it: (6, "day"), (-2, "hour"); under a minute is 0 minutes.
pub fn relative_amount(target: DateTime<Utc>, now: DateTime<Utc>) -> (i64, &'static str) {
    let span = target - now;
    let sign = if span < TimeDelta::zero() { -1 } else { 1 };
    let span = span.abs();
    if span.num_days() >= 1 {
        (sign * span.num_days(), "day")
    } else if span.num_hours() >= 1 {
        (sign * span.num_hours(), "hour")
    } else {
        (sign * span.num_minutes(), "minute")
    }
}

/// `target` relative to `now` in the largest whole unit: "in 6 days", "2 hours ago",
/// "in 1 minute", "less than a minute ago".
pub fn relative_phrase(target: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let future = target > now;
    let span = if future { target - now } else { now - target };
    let amount = |count: i64, unit: &str| {
        let plural = if count == 1 { "" } else { "s" };
        if future {
            format!("in {count} {unit}{plural}")
        } else {
            format!("{count} {unit}{plural} ago")
        }
    };
    if span.num_days() >= 1 {
        amount(span.num_days(), "day")
    } else if span.num_hours() >= 1 {
        amount(span.num_hours(), "hour")
    } else if span.num_minutes() >= 1 {
        amount(span.num_minutes(), "minute")
    } else if future {
        "in less than a minute".to_owned()
    } else {
        "less than a minute ago".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datetime::rfc3339;

    fn expiring_at(expires: DateTime<Utc>) -> OrganizationInvitation {
        crate::testing::invitation("orginv_x", "x@example.com", expires - TimeDelta::days(7))
    }

    #[test]
    fn classifies_by_time_left() {
        let now = rfc3339::parse("2024-12-31T23:00:00Z").unwrap();
        let status = |left: TimeDelta| Status::of(&expiring_at(now + left), now);
        assert_eq!(status(TimeDelta::days(6)), Status::Pending);
        assert_eq!(
            status(TimeDelta::hours(24) + TimeDelta::seconds(1)),
            Status::Pending
        );
        assert_eq!(status(TimeDelta::hours(24)), Status::ExpiringSoon);
        assert_eq!(status(TimeDelta::seconds(1)), Status::ExpiringSoon);
        assert_eq!(status(TimeDelta::zero()), Status::Expired);
        assert_eq!(status(-TimeDelta::days(400)), Status::Expired);
    }

    #[test]
    fn summary_counts_each_status() {
        let now = rfc3339::parse("2025-06-01T12:00:00Z").unwrap();
        let rows = [
            expiring_at(now + TimeDelta::days(3)),
            expiring_at(now + TimeDelta::hours(2)),
            expiring_at(now - TimeDelta::hours(2)),
            expiring_at(now - TimeDelta::days(2)),
        ];
        assert_eq!(
            Summary::of(&rows, now),
            Summary {
                pending: 1,
                expiring_soon: 1,
                expired: 2
            }
        );
    }

    #[test]
    fn relative_phrases_use_the_largest_whole_unit() {
        let now = rfc3339::parse("2025-01-01T00:00:00Z").unwrap();
        let phrase = |offset: TimeDelta| relative_phrase(now + offset, now);
        assert_eq!(
            phrase(TimeDelta::days(6) + TimeDelta::hours(23)),
            "in 6 days"
        );
        assert_eq!(phrase(TimeDelta::days(1)), "in 1 day");
        assert_eq!(
            phrase(-TimeDelta::hours(2) - TimeDelta::minutes(59)),
            "2 hours ago"
        );
        assert_eq!(phrase(TimeDelta::minutes(1)), "in 1 minute");
        assert_eq!(phrase(TimeDelta::seconds(59)), "in less than a minute");
        assert_eq!(phrase(TimeDelta::zero()), "less than a minute ago");
        assert_eq!(phrase(-TimeDelta::days(365)), "365 days ago");
    }
}
