//! Waiting while the server stays away: one schedule for every request the console tries
//! again (loading the list, revoking an invitation), a wait that doubles from a second up to
//! sixteen, so a server that is back is found soon and one that stays away is not pressed.

/// The first wait, in milliseconds.
pub const FIRST_WAIT_MS: u32 = 1000;
/// The longest wait, in milliseconds.
pub const LONGEST_WAIT_MS: u32 = 16_000;

/// Where a run of tries stands: the wait before the next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    next_ms: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            next_ms: FIRST_WAIT_MS,
        }
    }
}

impl Backoff {
    /// The wait before the next try, in milliseconds; the one after will be twice as long, up
    /// to [`LONGEST_WAIT_MS`].
    pub fn next_wait_ms(&mut self) -> u32 {
        let wait = self.next_ms;
        self.next_ms = wait.saturating_mul(2).min(LONGEST_WAIT_MS);
        wait
    }

    /// The server answered: the next run of tries starts from the first wait again.
    pub fn reset(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_longest_and_start_over_after_an_answer() {
        let mut backoff = Backoff::default();
        let waits: Vec<u32> = (0..7).map(|_| backoff.next_wait_ms()).collect();
        assert_eq!(waits, [1000, 2000, 4000, 8000, 16_000, 16_000, 16_000]);
        backoff.reset();
        assert_eq!(backoff.next_wait_ms(), FIRST_WAIT_MS);
    }
}
