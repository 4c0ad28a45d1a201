//! The politeness rule: how a response changes the delay before the next request to its host.
//!
//! One pure function ([`PolitenessRule::next_delay`]: no I/O, no clock, every time input
//! passed in) used by both schedulers: the fetcher's in-process per-host gate
//! (`trawl_fetch::PolitenessPolicy::on_complete`) and the frontier's host release
//! (`trawl_frontier::Frontier`, which keeps the host's current delay in the store's host
//! metadata). Each caller keeps its own bookkeeping (instants, in-flight counts, the store);
//! the rule only turns "current delay, Crawl-delay, what came back" into "next delay, hold".
//!
//! The rule (`docs/politeness.md`):
//! - **base** = `min_delay` raised to the host's Crawl-delay, the latter capped by
//!   `max_crawl_delay`; the delay never falls below the base nor rises above
//!   `max(max_delay, base)`;
//! - **overload** (429, 503, or a timeout): delay = current × `backoff_factor`, and at least
//!   `backoff_min_delay` when the response carries no Retry-After (the server did not say when
//!   to come back), so the first one rests the host at least that long and repeated ones
//!   escalate geometrically up to the cap;
//! - **normal response** (any other status): delay = max(current × `recovery_factor`, base),
//!   a geometric decay back to the base;
//! - **no response** (connection failure, cancelled): the delay is kept;
//! - **slow**: whatever the outcome, a request that took longer than `slow_response` raises the
//!   delay to at least its duration;
//! - **Retry-After**, capped by `max_retry_after`, is a separate *hold*: the host is not asked
//!   again before `end + hold`, whatever the delay says. The next request may start at
//!   `end + max(delay, hold)`.

use std::time::Duration;

/// The rule's knobs. [`Default`] gives the documented defaults (`docs/politeness.md`).
#[derive(Debug, Clone, PartialEq)]
pub struct PolitenessRule {
    /// Floor of the delay between the end of one request and the start of the next.
    pub min_delay: Duration,
    /// Upper bound of the adaptive delay (a capped Crawl-delay above it still wins).
    pub max_delay: Duration,
    /// Crawl-delay from robots.txt is honoured up to this value.
    pub max_crawl_delay: Duration,
    /// Retry-After is honoured up to this value.
    pub max_retry_after: Duration,
    /// A request slower than this raises the delay to at least its duration.
    pub slow_response: Duration,
    /// Multiplier applied to the delay on 429, 503 and timeouts.
    pub backoff_factor: f64,
    /// The least delay after a 429, 503 or timeout without Retry-After.
    pub backoff_min_delay: Duration,
    /// Multiplier (< 1) applied to a widened delay after a normal response.
    pub recovery_factor: f64,
}

impl Default for PolitenessRule {
    fn default() -> Self {
        PolitenessRule {
            min_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(120),
            max_crawl_delay: Duration::from_secs(60),
            max_retry_after: Duration::from_secs(3600),
            slow_response: Duration::from_secs(1),
            backoff_factor: 2.0,
            backoff_min_delay: Duration::from_secs(5),
            recovery_factor: 0.75,
        }
    }
}

/// What the rule needs to know about a finished request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Response {
    /// How long the request took.
    pub elapsed: Duration,
    /// HTTP status, when a response arrived.
    pub status: Option<u16>,
    /// Retry-After from the response, already parsed (uncapped).
    pub retry_after: Option<Duration>,
    /// The request timed out.
    pub timed_out: bool,
}

/// What the rule decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// The host's new adaptive delay (within the base and the cap): keep it for the next call.
    pub delay: Duration,
    /// Retry-After, capped: no request before `end + hold`, whatever the delay.
    pub hold: Option<Duration>,
    /// The host signalled overload (429, 503 or a timeout).
    pub overloaded: bool,
}

impl Decision {
    /// How long after the request's end the next one may start: `max(delay, hold)`.
    pub fn wait(&self) -> Duration {
        self.hold.map_or(self.delay, |h| h.max(self.delay))
    }
}

fn mul(d: Duration, f: f64) -> Duration {
    if !f.is_finite() || f <= 0.0 {
        return Duration::ZERO;
    }
    Duration::try_from_secs_f64(d.as_secs_f64() * f).unwrap_or(Duration::MAX)
}

impl PolitenessRule {
    /// The floor of the delay for a host: `min_delay` raised to its Crawl-delay, capped by
    /// `max_crawl_delay`.
    pub fn base_delay(&self, crawl_delay: Option<Duration>) -> Duration {
        let crawl = crawl_delay
            .map(|c| c.min(self.max_crawl_delay))
            .unwrap_or(Duration::ZERO);
        self.min_delay.max(crawl)
    }

    /// `current` held within the base and the cap: the gap actually required. A `current` of
    /// zero (nothing known yet) gives the base.
    pub fn delay(&self, current: Duration, crawl_delay: Option<Duration>) -> Duration {
        let base = self.base_delay(crawl_delay);
        current.max(base).min(self.max_delay.max(base))
    }

    /// The host's next delay after `response`, from its `current` delay and Crawl-delay.
    pub fn next_delay(
        &self,
        current: Duration,
        crawl_delay: Option<Duration>,
        response: &Response,
    ) -> Decision {
        let base = self.base_delay(crawl_delay);
        let current = self.delay(current, crawl_delay);
        let overloaded = response.timed_out || matches!(response.status, Some(429 | 503));
        let mut delay = if overloaded {
            let widened = mul(current, self.backoff_factor);
            if response.retry_after.is_some() {
                widened
            } else {
                widened.max(self.backoff_min_delay)
            }
        } else if response.status.is_some() {
            mul(current, self.recovery_factor).max(base)
        } else {
            current
        };
        if response.elapsed > self.slow_response {
            delay = delay.max(response.elapsed);
        }
        Decision {
            delay: self.delay(delay, crawl_delay),
            hold: response.retry_after.map(|r| r.min(self.max_retry_after)),
            overloaded,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    fn rule() -> PolitenessRule {
        PolitenessRule {
            max_delay: S(60),
            ..PolitenessRule::default()
        }
    }

    fn status(code: u16) -> Response {
        Response {
            elapsed: Duration::from_millis(100),
            status: Some(code),
            ..Response::default()
        }
    }

    #[test]
    fn a_normal_response_keeps_the_base() {
        let d = rule().next_delay(Duration::ZERO, None, &status(200));
        assert_eq!(d.delay, S(1));
        assert_eq!((d.hold, d.overloaded), (None, false));
        assert_eq!(d.wait(), S(1));
    }

    #[test]
    fn repeated_429s_escalate_up_to_the_cap() {
        let r = rule();
        let mut current = Duration::ZERO;
        let mut seen = Vec::new();
        for _ in 0..8 {
            let d = r.next_delay(current, None, &status(429));
            assert!(d.overloaded);
            current = d.delay;
            seen.push(current.as_secs());
        }
        assert_eq!(seen, [5, 10, 20, 40, 60, 60, 60, 60]);
        // 503 and timeouts count alike; a 500 does not.
        assert_eq!(r.next_delay(S(1), None, &status(503)).delay, S(5));
        let timeout = Response {
            elapsed: Duration::from_millis(500),
            timed_out: true,
            ..Response::default()
        };
        assert_eq!(r.next_delay(S(1), None, &timeout).delay, S(5));
        assert_eq!(r.next_delay(S(1), None, &status(500)).delay, S(1));
    }

    #[test]
    fn overload_from_a_zero_base_still_rests_the_host() {
        let r = PolitenessRule {
            min_delay: Duration::ZERO,
            ..rule()
        };
        assert_eq!(r.next_delay(Duration::ZERO, None, &status(429)).delay, S(5));
        assert_eq!(
            r.next_delay(Duration::ZERO, None, &status(200)).delay,
            Duration::ZERO
        );
    }

    #[test]
    fn normal_responses_decay_back_to_the_base() {
        let r = rule();
        let mut current = S(60);
        let mut steps = 0;
        while current > S(1) {
            let next = r.next_delay(current, None, &status(200)).delay;
            assert!(next < current);
            current = next;
            steps += 1;
        }
        assert_eq!(current, S(1));
        assert_eq!(steps, 15, "60 s × 0.75^15 < 1 s");
        // With a Crawl-delay the decay stops at it.
        assert_eq!(r.next_delay(S(10), Some(S(8)), &status(200)).delay, S(8));
    }

    #[test]
    fn no_response_keeps_the_delay() {
        let failed = Response {
            elapsed: Duration::from_millis(10),
            ..Response::default()
        };
        assert_eq!(rule().next_delay(S(20), None, &failed).delay, S(20));
    }

    #[test]
    fn retry_after_is_a_capped_hold() {
        let r = PolitenessRule {
            max_retry_after: S(600),
            ..rule()
        };
        let with = |ra| Response {
            retry_after: Some(S(ra)),
            ..status(503)
        };
        // The server said when to come back: the delay escalates without the 5 s floor.
        let d = r.next_delay(S(1), None, &with(120));
        assert_eq!((d.delay, d.hold), (S(2), Some(S(120))));
        assert_eq!(d.wait(), S(120));
        let d = r.next_delay(S(1), None, &with(86_400));
        assert_eq!(d.hold, Some(S(600)), "capped");
        // A short hold does not shorten the delay.
        let d = r.next_delay(S(10), None, &with(2));
        assert_eq!((d.delay, d.wait()), (S(20), S(20)));
    }

    #[test]
    fn crawl_delay_raises_the_base_and_is_capped() {
        let r = PolitenessRule {
            max_crawl_delay: S(30),
            ..rule()
        };
        assert_eq!(r.delay(Duration::ZERO, Some(S(7))), S(7));
        assert_eq!(r.delay(Duration::ZERO, Some(S(86_400))), S(30));
        assert_eq!(
            r.delay(Duration::ZERO, Some(Duration::from_millis(100))),
            S(1)
        );
        // A capped Crawl-delay above max_delay still wins over the cap.
        let low_cap = PolitenessRule {
            max_delay: S(10),
            ..r
        };
        assert_eq!(low_cap.delay(S(100), Some(S(20))), S(20));
        // Overload widens from the Crawl-delay.
        assert_eq!(r.next_delay(S(0), Some(S(7)), &status(429)).delay, S(14));
    }

    #[test]
    fn slow_responses_widen_to_their_duration() {
        let r = rule();
        let slow = |ms| Response {
            elapsed: Duration::from_millis(ms),
            status: Some(200),
            ..Response::default()
        };
        assert_eq!(r.next_delay(S(1), None, &slow(3_000)).delay, S(3));
        assert_eq!(
            r.next_delay(S(1), None, &slow(1_000)).delay,
            S(1),
            "not above the threshold"
        );
        assert_eq!(
            r.next_delay(S(8), None, &slow(4_000)).delay,
            S(6),
            "0.75 × 8 s"
        );
        assert_eq!(
            r.next_delay(S(1), None, &slow(600_000)).delay,
            S(60),
            "capped"
        );
        // A slow failure too.
        let timeout = Response {
            elapsed: S(30),
            timed_out: true,
            ..Response::default()
        };
        assert_eq!(r.next_delay(S(1), None, &timeout).delay, S(30));
    }

    #[test]
    fn odd_factors_do_not_panic() {
        for f in [f64::NAN, f64::INFINITY, -1.0, 0.0, 1e300] {
            let r = PolitenessRule {
                backoff_factor: f,
                recovery_factor: f,
                ..rule()
            };
            for s in [200, 429] {
                let d = r.next_delay(S(30), None, &status(s)).delay;
                assert!(d >= S(1) && d <= S(60), "{f} {s} {d:?}");
            }
        }
    }
}
