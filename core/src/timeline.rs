//! The expiry timeline: how many pending invitations lapse on each of the coming days, and how
//! many already have, as the bars the console draws above its list.

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};

use crate::invitation::INVITATION_LIFETIME;
use crate::listing::ExpiryDay;

/// One bar: the invitations that expire on its day (or have expired).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bar {
    pub day: ExpiryDay,
    pub count: usize,
}

/// The expired bar, then one bar per day from today through the day a fresh invitation
/// lapses (a lifetime ahead), later if an invitation expires later still. `day_of` gives the
/// day an instant falls on where dates are shown.
pub fn expiry_bars(
    expires: impl IntoIterator<Item = DateTime<Utc>>,
    now: DateTime<Utc>,
    day_of: impl Fn(DateTime<Utc>) -> NaiveDate,
) -> Vec<Bar> {
    let today = day_of(now);
    let mut expired = 0;
    let mut per_day: Vec<usize> = vec![0; INVITATION_LIFETIME.num_days() as usize + 1];
    for expires_at in expires {
        if expires_at <= now {
            expired += 1;
            continue;
        }
        let offset = (day_of(expires_at) - today).num_days().max(0) as usize;
        if offset >= per_day.len() {
            per_day.resize(offset + 1, 0);
        }
        per_day[offset] += 1;
    }
    std::iter::once(Bar {
        day: ExpiryDay::Expired,
        count: expired,
    })
    .chain(per_day.into_iter().enumerate().map(|(offset, count)| Bar {
        day: ExpiryDay::On(today + TimeDelta::days(offset as i64)),
        count,
    }))
    .collect()
}

/// "Expired", "Today", "Tomorrow", then the weekday and day of the month: "Mon 30".
pub fn label(day: ExpiryDay, today: NaiveDate) -> String {
    const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    match day {
        ExpiryDay::Expired => "Expired".to_owned(),
        ExpiryDay::On(day) if day == today => "Today".to_owned(),
        ExpiryDay::On(day) if day == today + TimeDelta::days(1) => "Tomorrow".to_owned(),
        ExpiryDay::On(day) => format!(
            "{} {}",
            WEEKDAYS[day.weekday().num_days_from_monday() as usize],
            day.day()
        ),
    }
}

/// The bar's name where the timeline is narrow (a phone: nine bars in 360 px leave each less
/// room than "Tomorrow"): the day of the month, and `Exp` for the expired ones. The full
/// [`label`] stays the bar's accessible name, which contains this.
pub fn short_label(day: ExpiryDay) -> String {
    match day {
        ExpiryDay::Expired => "Exp".to_owned(),
        ExpiryDay::On(day) => day.day().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_short_label_is_part_of_the_full_one() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        for day in [
            ExpiryDay::Expired,
            ExpiryDay::On(today + TimeDelta::days(2)),
            ExpiryDay::On(today + TimeDelta::days(5)),
        ] {
            assert!(
                label(day, today).contains(&short_label(day)),
                "{day:?}: the visible text is part of the accessible name"
            );
        }
        assert_eq!(short_label(ExpiryDay::On(today)), "28");
    }

    #[test]
    fn counts_each_day_from_today_and_the_expired_apart() {
        let now = Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap();
        let day_of = |at: DateTime<Utc>| at.date_naive();
        let bars = expiry_bars(
            [
                now - TimeDelta::days(1),
                now - TimeDelta::minutes(1),
                now + TimeDelta::hours(2),
                now + TimeDelta::hours(13),
                now + TimeDelta::days(7),
                now + TimeDelta::days(7),
            ],
            now,
            day_of,
        );
        let counts: Vec<usize> = bars.iter().map(|bar| bar.count).collect();
        assert_eq!(counts, [2, 1, 1, 0, 0, 0, 0, 0, 2]);
        assert_eq!(bars[0].day, ExpiryDay::Expired);
        assert_eq!(
            bars[1].day,
            ExpiryDay::On(NaiveDate::from_ymd_opt(2026, 11, 28).unwrap())
        );
        assert_eq!(
            bars[8].day,
            ExpiryDay::On(NaiveDate::from_ymd_opt(2026, 12, 5).unwrap())
        );
        // Every invitation is in exactly one bar, the one the list's filter picks it for.
        for bar in &bars {
            let held = [now - TimeDelta::days(1), now + TimeDelta::hours(13)]
                .into_iter()
                .filter(|at| bar.day.holds(*at, now, day_of))
                .count();
            assert!(held <= 1);
        }
    }

    #[test]
    fn days_follow_the_zone_dates_are_shown_in() {
        let now = Utc.with_ymd_and_hms(2026, 11, 28, 20, 0, 0).unwrap();
        // In a zone 5 hours ahead, 20:00 UTC is already tomorrow, and so is 22:00 UTC.
        let ahead = |at: DateTime<Utc>| (at + TimeDelta::hours(5)).date_naive();
        let bars = expiry_bars([now + TimeDelta::hours(2)], now, ahead);
        assert_eq!(bars[1].count, 1, "expires on the zone's today");
        assert_eq!(
            bars[1].day,
            ExpiryDay::On(NaiveDate::from_ymd_opt(2026, 11, 29).unwrap())
        );
    }

    #[test]
    fn a_later_expiry_than_the_lifetime_gets_its_own_days() {
        let now = Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap();
        let bars = expiry_bars([now + TimeDelta::days(10)], now, |at| at.date_naive());
        assert_eq!(bars.len(), 12);
        assert_eq!(bars[11].count, 1);
    }

    #[test]
    fn labels_read_as_people_say_days() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let on = |offset| ExpiryDay::On(today + TimeDelta::days(offset));
        assert_eq!(label(ExpiryDay::Expired, today), "Expired");
        assert_eq!(label(on(0), today), "Today");
        assert_eq!(label(on(1), today), "Tomorrow");
        assert_eq!(label(on(2), today), "Mon 30");
        assert_eq!(label(on(3), today), "Tue 1");
    }
}
