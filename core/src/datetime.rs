//! Dates on the wire (RFC 3339 with an offset) and on screen (the Anyscale CLI's format).

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};

/// The Anyscale CLI prints dates as `11/25/2024 10:24 PM` (strftime `%m/%d/%Y %I:%M %p`); the
/// console's default matches it. Written out by hand: chrono's general formatter would add
/// its whole format-string machinery to the console's WebAssembly for three formats.
pub fn format_cli<Tz: TimeZone>(instant: DateTime<Utc>, zone: &Tz) -> String {
    let local = instant.with_timezone(zone).naive_local();
    let (hour, meridiem) = hour12(&local);
    format!(
        "{:02}/{:02}/{:04} {hour:02}:{:02} {meridiem}",
        local.month(),
        local.day(),
        local.year(),
        local.minute()
    )
}

/// A time of day as `10:24:05 PM` (`%I:%M:%S %p`), in the given time zone.
pub fn format_time_of_day<Tz: TimeZone>(instant: DateTime<Utc>, zone: &Tz) -> String {
    let local = instant.with_timezone(zone).naive_local();
    let (hour, meridiem) = hour12(&local);
    format!(
        "{hour:02}:{:02}:{:02} {meridiem}",
        local.minute(),
        local.second()
    )
}

/// The exact instant in UTC, for tooltips: `2024-11-25 22:24:00 UTC`.
pub fn format_utc_exact(instant: DateTime<Utc>) -> String {
    utc(instant, ' ', " UTC")
}

/// ISO 8601 in UTC, for files other programs read: `2024-11-25T22:24:00Z`.
pub fn format_iso_utc(instant: DateTime<Utc>) -> String {
    utc(instant, 'T', "Z")
}

/// A day as ISO 8601 has it: `2024-11-25`.
pub fn format_iso_day(day: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", day.year(), day.month(), day.day())
}

fn utc(instant: DateTime<Utc>, between: char, zone: &str) -> String {
    format!(
        "{}{between}{:02}:{:02}:{:02}{zone}",
        format_iso_day(instant.date_naive()),
        instant.hour(),
        instant.minute(),
        instant.second()
    )
}

fn hour12(local: &NaiveDateTime) -> (u32, &'static str) {
    let (pm, hour) = local.hour12();
    (hour, if pm { "PM" } else { "AM" })
}

/// Serde for datetimes on the wire: written as RFC 3339 with a numeric offset
/// (`2024-11-25T22:24:00+00:00`, as the API's own examples), read from any RFC 3339 string with
/// an offset. Naive datetimes and numbers are refused, as the contract says.
pub mod rfc3339 {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn to_string(instant: &DateTime<Utc>) -> String {
        instant.to_rfc3339_opts(SecondsFormat::AutoSi, false)
    }

    pub fn parse(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
        DateTime::parse_from_rfc3339(text).map(|instant| instant.with_timezone(&Utc))
    }

    pub fn serialize<S: Serializer>(
        instant: &DateTime<Utc>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&to_string(instant))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse(&text)
            .map_err(|err| D::Error::custom(format!("invalid RFC 3339 datetime {text:?}: {err}")))
    }

    /// The same, for optional fields that may be `null` or absent.
    pub mod option {
        use super::*;

        pub fn serialize<S: Serializer>(
            instant: &Option<DateTime<Utc>>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match instant {
                Some(instant) => super::serialize(instant, serializer),
                None => serializer.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<DateTime<Utc>>, D::Error> {
            match Option::<String>::deserialize(deserializer)? {
                Some(text) => parse(&text).map(Some).map_err(|err| {
                    D::Error::custom(format!("invalid RFC 3339 datetime {text:?}: {err}"))
                }),
                None => Ok(None),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    fn instant(text: &str) -> DateTime<Utc> {
        rfc3339::parse(text).unwrap()
    }

    #[test]
    fn matches_the_cli_reference_example_in_utc() {
        assert_eq!(
            format_cli(instant("2024-11-25T22:24:00+00:00"), &Utc),
            "11/25/2024 10:24 PM"
        );
        assert_eq!(
            format_cli(instant("2024-12-02T22:24:00Z"), &Utc),
            "12/02/2024 10:24 PM"
        );
    }

    #[test]
    fn uses_the_viewers_zone_including_across_a_date_and_year_boundary() {
        let new_york = FixedOffset::west_opt(5 * 3600).unwrap();
        assert_eq!(
            format_cli(instant("2025-01-01T03:05:00Z"), &new_york),
            "12/31/2024 10:05 PM"
        );
        let tokyo = FixedOffset::east_opt(9 * 3600).unwrap();
        assert_eq!(
            format_cli(instant("2024-12-31T15:00:00Z"), &tokyo),
            "01/01/2025 12:00 AM"
        );
    }

    #[test]
    fn times_of_day_and_exact_instants_read_as_before() {
        let at = instant("2024-11-25T09:04:05Z");
        assert_eq!(format_time_of_day(at, &Utc), "09:04:05 AM");
        assert_eq!(format_utc_exact(at), "2024-11-25 09:04:05 UTC");
        let tokyo = chrono::FixedOffset::east_opt(9 * 3600).unwrap();
        assert_eq!(format_time_of_day(at, &tokyo), "06:04:05 PM");
        // The hand-written forms equal chrono's own formatter's, over a year of instants.
        let mut at = instant("2024-01-01T00:00:00Z");
        while at < instant("2025-01-01T00:00:00Z") {
            assert_eq!(
                format_cli(at, &tokyo),
                at.with_timezone(&tokyo)
                    .format("%m/%d/%Y %I:%M %p")
                    .to_string()
            );
            assert_eq!(
                format_time_of_day(at, &Utc),
                at.format("%I:%M:%S %p").to_string()
            );
            assert_eq!(
                format_utc_exact(at),
                at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
            );
            assert_eq!(
                format_iso_utc(at),
                at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
            );
            at += chrono::TimeDelta::minutes(97) + chrono::TimeDelta::seconds(13);
        }
    }

    #[test]
    fn midnight_and_noon_use_twelve() {
        assert_eq!(
            format_cli(instant("2024-06-01T00:00:00Z"), &Utc),
            "06/01/2024 12:00 AM"
        );
        assert_eq!(
            format_cli(instant("2024-06-01T12:00:00Z"), &Utc),
            "06/01/2024 12:00 PM"
        );
    }

    #[test]
    fn wire_format_keeps_subseconds_and_writes_a_numeric_offset() {
        let with_millis = instant("2024-11-25T22:24:00.250Z");
        assert_eq!(
            rfc3339::to_string(&with_millis),
            "2024-11-25T22:24:00.250+00:00"
        );
        assert_eq!(format_utc_exact(with_millis), "2024-11-25 22:24:00 UTC");
    }

    #[test]
    fn wire_format_refuses_text_without_an_offset() {
        assert!(rfc3339::parse("2024-11-25T22:24:00").is_err());
        assert!(rfc3339::parse("11/25/2024 10:24 PM").is_err());
    }
}
