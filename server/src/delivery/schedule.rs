//! When to try a message again after a temporary refusal: a schedule of waits written as
//! data (`--mail-retry-delays`), the last repeated, so the first retry comes within a minute
//! and none waits over an hour, until the invitation expires.

use std::time::Duration;

/// The waits between attempts, in order; the last one repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule(Vec<Duration>);

impl Default for Schedule {
    /// 30 s, 1, 2, 5, 10, 20 and 40 min, then every hour.
    fn default() -> Self {
        Self(
            [30, 60, 120, 300, 600, 1200, 2400, 3600]
                .map(Duration::from_secs)
                .to_vec(),
        )
    }
}

impl Schedule {
    /// The wait after attempt number `attempts` (from 1) was refused for now.
    pub fn after(&self, attempts: u32) -> Duration {
        let index = (attempts.max(1) as usize - 1).min(self.0.len() - 1);
        self.0[index]
    }

    /// The wait before attempt number `attempt` (from 1) where the schedule is the whole list
    /// of attempts (webhooks: the first wait is before the first attempt, usually 0s); `None`
    /// past its end.
    pub fn before_attempt(&self, attempt: u32) -> Option<Duration> {
        self.0.get((attempt.max(1) - 1) as usize).copied()
    }

    /// Reads `30s,1m,2m,1h`: whole seconds, minutes or hours, comma-separated, at least one,
    /// none over a day.
    pub fn parse(text: &str) -> Result<Self, String> {
        let waits = text
            .split(',')
            .map(|wait| {
                let wait = span(wait)?;
                if wait > Duration::from_secs(24 * 3600) {
                    return Err(format!("{wait:?} is longer than a day"));
                }
                Ok(wait)
            })
            .collect::<Result<Vec<_>, _>>()?;
        if waits.is_empty() {
            return Err("the schedule needs at least one wait".into());
        }
        Ok(Self(waits))
    }
}

/// Reads a span of time: a whole number of seconds, minutes, hours or days (`90s`, `5d`).
pub fn span(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let no_span = || format!("{text:?} is no span of time: write it as 30s, 5m, 1h or 2d");
    let (number, unit) = text.split_at(text.len().saturating_sub(1));
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(no_span()),
    };
    let number: u64 = number.parse().map_err(|_| no_span())?;
    Ok(Duration::from_secs(number.saturating_mul(seconds)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_retry_is_within_a_minute_and_none_waits_over_an_hour() {
        let schedule = Schedule::default();
        assert!(schedule.after(1) <= Duration::from_secs(60));
        assert!((1..100).all(|attempt| schedule.after(attempt) <= Duration::from_secs(3600)));
        assert_eq!(
            schedule.after(50),
            Duration::from_secs(3600),
            "the last one repeats"
        );
    }

    #[test]
    fn a_schedule_is_read_from_its_option_and_bad_ones_are_refused() {
        let read = Schedule::parse("0s, 1s,2m,1h").unwrap();
        assert_eq!(read.after(1), Duration::ZERO);
        assert_eq!(read.after(3), Duration::from_secs(120));
        assert_eq!(read.after(9), Duration::from_secs(3600));
        for bad in ["", "5", "5x", "-1s", "2d", "25h", "1m,,2m"] {
            assert!(Schedule::parse(bad).is_err(), "{bad:?}");
        }
    }
}
