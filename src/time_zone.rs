//! Which clock dates are shown in: the viewer's own or UTC.

use chrono::{DateTime, Local, Utc};
use org_invitations_core::datetime::{format_cli, format_time_of_day};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TimeZoneChoice {
    /// The browser's time zone, as the Anyscale CLI uses the terminal's.
    #[default]
    Local,
    Utc,
}

impl TimeZoneChoice {
    /// A host's `time-zone` option: `utc` (any case) or, for anything else, local time.
    pub fn from_option(option: Option<&str>) -> Self {
        match option {
            Some(zone) if zone.trim().eq_ignore_ascii_case("utc") => TimeZoneChoice::Utc,
            _ => TimeZoneChoice::Local,
        }
    }

    /// The CLI's date format in this zone; another language's own short date and time.
    pub fn format(self, instant: DateTime<Utc>) -> String {
        let language = crate::i18n::words::language();
        if language != "en" {
            return crate::i18n::intl::date_time(&language, instant, self == TimeZoneChoice::Utc);
        }
        match self {
            TimeZoneChoice::Local => format_cli(instant, &Local),
            TimeZoneChoice::Utc => format_cli(instant, &Utc),
        }
    }

    /// The day an instant falls on in this zone (for file names).
    pub fn day(self, instant: DateTime<Utc>) -> chrono::NaiveDate {
        match self {
            TimeZoneChoice::Local => instant.with_timezone(&Local).date_naive(),
            TimeZoneChoice::Utc => instant.date_naive(),
        }
    }

    /// A time of day, for "refreshed at".
    pub fn format_time(self, instant: DateTime<Utc>) -> String {
        let language = crate::i18n::words::language();
        if language != "en" {
            let utc = self == TimeZoneChoice::Utc;
            let time = crate::i18n::intl::time_of_day(&language, instant, utc);
            return if utc { format!("{time} UTC") } else { time };
        }
        match self {
            TimeZoneChoice::Local => format_time_of_day(instant, &Local),
            TimeZoneChoice::Utc => format!("{} UTC", format_time_of_day(instant, &Utc)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn utc_reads_as_the_cli_prints_with_the_zone_named_for_times_of_day() {
        let instant = Utc.with_ymd_and_hms(2024, 11, 25, 22, 24, 5).unwrap();
        assert_eq!(TimeZoneChoice::Utc.format(instant), "11/25/2024 10:24 PM");
        assert_eq!(TimeZoneChoice::Utc.format_time(instant), "10:24:05 PM UTC");
    }

    #[test]
    fn only_utc_chooses_utc() {
        assert_eq!(
            TimeZoneChoice::from_option(Some("UTC")),
            TimeZoneChoice::Utc
        );
        assert_eq!(
            TimeZoneChoice::from_option(Some(" utc ")),
            TimeZoneChoice::Utc
        );
        for other in [None, Some("local"), Some(""), Some("Europe/Paris")] {
            assert_eq!(
                TimeZoneChoice::from_option(other),
                TimeZoneChoice::Local,
                "{other:?}"
            );
        }
    }
}
