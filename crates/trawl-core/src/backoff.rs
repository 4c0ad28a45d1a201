//! Exponential backoff with jitter: the one rule every retry loop uses (the frontier's and
//! worker's service loops, AMQP reconnects and publishes, the fetcher's retries, the
//! PostgreSQL sink, the frontier's task retries).
//!
//! `initial · 2^attempt`, capped at `max`, with "equal jitter": half of it fixed, half
//! uniformly random, so that many clients failing together do not retry together and none
//! retries sooner than half its step.

use std::time::Duration;

/// The delay before retry `attempt` (0 = the first retry) for a uniform random `unit` in
/// [0, 1]: `d/2 + unit · d/2` where `d = min(initial · 2^attempt, max)`. Pure, for callers that
/// pass their own randomness (and for tests).
pub fn delay(initial: Duration, max: Duration, attempt: u32, unit: f64) -> Duration {
    let step = initial.saturating_mul(1u32 << attempt.min(20)).min(max);
    let half = step / 2;
    half + half.mul_f64(if unit.is_finite() {
        unit.clamp(0.0, 1.0)
    } else {
        1.0
    })
}

/// [`delay`] with a random `unit`.
pub fn jittered(initial: Duration, max: Duration, attempt: u32) -> Duration {
    delay(initial, max, attempt, rand::random::<f64>())
}

/// A retry loop's backoff state: each [`Backoff::next_delay`] is the next step of
/// [`jittered`]; [`Backoff::reset`] after a success.
#[derive(Debug, Clone)]
pub struct Backoff {
    initial: Duration,
    max: Duration,
    attempt: u32,
}

impl Backoff {
    /// 100 ms doubling to 30 s: the service loops' default.
    pub fn new() -> Self {
        Backoff::with(Duration::from_millis(100), Duration::from_secs(30))
    }

    /// Steps from `initial` doubling up to `max`.
    pub fn with(initial: Duration, max: Duration) -> Self {
        Backoff {
            initial,
            max,
            attempt: 0,
        }
    }

    pub fn next_delay(&mut self) -> Duration {
        let d = jittered(self.initial, self.max, self.attempt);
        self.attempt = self.attempt.saturating_add(1);
        d
    }

    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn doubles_from_initial_up_to_max_with_equal_jitter() {
        let (i, m) = (100 * MS, 30_000 * MS);
        assert_eq!(delay(i, m, 0, 0.0), 50 * MS);
        assert_eq!(delay(i, m, 0, 1.0), 100 * MS);
        assert_eq!(delay(i, m, 3, 1.0), 800 * MS);
        assert_eq!(delay(i, m, 3, 0.5), 600 * MS);
        // Capped, also for absurd attempt numbers, and never below half the step.
        assert_eq!(delay(i, m, 9, 1.0), m);
        assert_eq!(delay(i, m, u32::MAX, 0.0), m / 2);
        // Bad randomness is clamped.
        assert_eq!(delay(i, m, 0, 7.0), 100 * MS);
        assert_eq!(delay(i, m, 0, f64::NAN), 100 * MS);
        for attempt in 0..40 {
            let d = jittered(i, m, attempt);
            let step = delay(i, m, attempt, 1.0);
            assert!(d >= step / 2 && d <= step, "{attempt}: {d:?}");
        }
    }

    #[test]
    fn a_backoff_steps_and_resets() {
        let mut b = Backoff::with(10 * MS, 80 * MS);
        let steps: Vec<Duration> = (0..6).map(|_| b.next_delay()).collect();
        for (k, d) in steps.iter().enumerate() {
            let step = (10 * MS * (1 << k)).min(80 * MS);
            assert!(*d >= step / 2 && *d <= step, "step {k}: {d:?}");
        }
        b.reset();
        assert!(b.next_delay() <= 10 * MS);
    }
}
