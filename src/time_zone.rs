//! Which clock dates are shown in: the viewer's own or UTC.

use chrono::{DateTime, Local, Utc};
use org_invitations_core::datetime::format_cli;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TimeZoneChoice {
    /// The browser's time zone, as the Anyscale CLI uses the terminal's.
    #[default]
    Local,
    Utc,
}

impl TimeZoneChoice {
    /// The CLI's date format in this zone.
    pub fn format(self, instant: DateTime<Utc>) -> String {
        match self {
            TimeZoneChoice::Local => format_cli(instant, &Local),
            TimeZoneChoice::Utc => format_cli(instant, &Utc),
        }
    }

    /// A time of day, for "refreshed at".
    pub fn format_time(self, instant: DateTime<Utc>) -> String {
        const TIME: &str = "%I:%M:%S %p";
        match self {
            TimeZoneChoice::Local => instant.with_timezone(&Local).format(TIME).to_string(),
            TimeZoneChoice::Utc => format!("{} UTC", instant.format(TIME)),
        }
    }
}
