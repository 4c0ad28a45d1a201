//! The politeness policy: a pure component (no I/O, no clock) that decides how long to
//! wait before the next request to a host.
//!
//! The [`crate::Fetcher`] applies it per host in-process; the frontier can use the same
//! [`PolitenessPolicy`] and [`HostState`] to schedule hosts across many workers: call
//! [`PolitenessPolicy::on_start`] when a request to the host is handed out,
//! [`PolitenessPolicy::on_complete`] with what came back, and
//! [`PolitenessPolicy::ready_at`] / [`PolitenessPolicy::wait`] to know when the host may be
//! asked again. Every input that depends on time (`Instant`, `Duration`) is passed in.
//!
//! Rules:
//! - at most `max_in_flight_per_host` requests at once (default 1);
//! - between the *end* of one request and the *start* of the next: the current delay, which is
//!   at least `min_delay`, raised to the host's Crawl-delay (capped by `max_crawl_delay`);
//! - adaptive: a 429 or 503 (and a timeout) multiplies the delay by `backoff_factor`; a slow
//!   response (longer than `slow_response`) raises the delay to at least the response time;
//!   a normal success lets it decay back towards the base by `recovery_factor`; never above
//!   `max_delay`;
//! - Retry-After (capped by `max_retry_after`) pushes the earliest next start to
//!   `end + retry_after`.

use serde::Deserialize;
use std::time::{Duration, Instant};

use crate::config::serde_secs;

/// Knobs of the politeness policy (all durations in seconds in config files).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PolitenessConfig {
    /// When false the [`crate::Fetcher`] does not gate requests per host (a frontier does it).
    /// The pure policy itself ignores this flag.
    pub enabled: bool,
    /// Requests to one host in flight at once.
    pub max_in_flight_per_host: u32,
    /// Minimum gap between the end of one request and the start of the next to the same host.
    #[serde(with = "serde_secs")]
    pub min_delay: Duration,
    /// Upper bound of the adaptive delay.
    #[serde(with = "serde_secs")]
    pub max_delay: Duration,
    /// Crawl-delay from robots.txt is honoured up to this value.
    #[serde(with = "serde_secs")]
    pub max_crawl_delay: Duration,
    /// Retry-After is honoured up to this value.
    #[serde(with = "serde_secs")]
    pub max_retry_after: Duration,
    /// A response slower than this widens the delay to at least its duration.
    #[serde(with = "serde_secs")]
    pub slow_response: Duration,
    /// Multiplier applied to the delay on 429, 503 and timeouts.
    pub backoff_factor: f64,
    /// Multiplier (< 1) applied to a widened delay after a normal response.
    pub recovery_factor: f64,
}

impl Default for PolitenessConfig {
    fn default() -> Self {
        PolitenessConfig {
            enabled: true,
            max_in_flight_per_host: 1,
            min_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(120),
            max_crawl_delay: Duration::from_secs(60),
            max_retry_after: Duration::from_secs(3600),
            slow_response: Duration::from_secs(5),
            backoff_factor: 2.0,
            recovery_factor: 0.75,
        }
    }
}

/// What the policy needs to know about a finished request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Completion {
    /// When the request ended (last body byte, or the failure).
    pub end: Instant,
    /// How long it took.
    pub elapsed: Duration,
    /// HTTP status, when a response arrived.
    pub status: Option<u16>,
    /// Retry-After from the response, already parsed.
    pub retry_after: Option<Duration>,
    /// The request timed out.
    pub timed_out: bool,
}

/// Per-host scheduling state. Plain data; cheap to clone and to keep one per host.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HostState {
    /// Requests handed out and not yet completed.
    pub in_flight: u32,
    /// End of the last completed request.
    pub last_end: Option<Instant>,
    /// Current adaptive delay (zero until the first completion: the base applies).
    pub delay: Duration,
    /// Crawl-delay from the host's robots.txt, if any.
    pub crawl_delay: Option<Duration>,
    /// No request before this instant (Retry-After).
    pub not_before: Option<Instant>,
    /// Consecutive 429/503/timeouts (for observability).
    pub consecutive_backoffs: u32,
}

/// The pure policy. Cheap to clone.
#[derive(Debug, Clone, PartialEq)]
pub struct PolitenessPolicy {
    cfg: PolitenessConfig,
}

impl Default for PolitenessPolicy {
    fn default() -> Self {
        PolitenessPolicy::new(PolitenessConfig::default())
    }
}

fn mul(d: Duration, f: f64) -> Duration {
    if !f.is_finite() || f <= 0.0 {
        return Duration::ZERO;
    }
    Duration::try_from_secs_f64(d.as_secs_f64() * f).unwrap_or(Duration::MAX)
}

impl PolitenessPolicy {
    pub fn new(cfg: PolitenessConfig) -> Self {
        PolitenessPolicy { cfg }
    }

    pub fn config(&self) -> &PolitenessConfig {
        &self.cfg
    }

    /// The floor of the delay for this host: `min_delay` raised to its (capped) Crawl-delay.
    pub fn base_delay(&self, state: &HostState) -> Duration {
        let crawl = state
            .crawl_delay
            .map(|c| c.min(self.cfg.max_crawl_delay))
            .unwrap_or(Duration::ZERO);
        self.cfg.min_delay.max(crawl)
    }

    /// The gap required after the last request's end before the next start.
    pub fn next_delay(&self, state: &HostState) -> Duration {
        let base = self.base_delay(state);
        state.delay.max(base).min(self.cfg.max_delay.max(base))
    }

    /// Set (or clear) the host's Crawl-delay.
    pub fn set_crawl_delay(&self, state: &mut HostState, crawl_delay: Option<Duration>) {
        state.crawl_delay = crawl_delay;
    }

    /// Earliest instant the next request may start, ignoring the in-flight limit.
    /// `None` means "now" (never fetched and no Retry-After).
    pub fn ready_at(&self, state: &HostState) -> Option<Instant> {
        let by_delay = state.last_end.map(|end| end + self.next_delay(state));
        match (by_delay, state.not_before) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }

    /// Whether a request may start at `now` (in-flight limit and delay).
    pub fn can_start(&self, state: &HostState, now: Instant) -> bool {
        state.in_flight < self.cfg.max_in_flight_per_host.max(1) && self.wait(state, now).is_zero()
    }

    /// How long to wait from `now` until the delay allows a start (zero if it already does).
    pub fn wait(&self, state: &HostState, now: Instant) -> Duration {
        self.ready_at(state)
            .map(|t| t.saturating_duration_since(now))
            .unwrap_or(Duration::ZERO)
    }

    /// Record that a request starts.
    pub fn on_start(&self, state: &mut HostState) {
        state.in_flight = state.in_flight.saturating_add(1);
    }

    /// Record that a request finished; adapts the delay.
    pub fn on_complete(&self, state: &mut HostState, c: Completion) {
        state.in_flight = state.in_flight.saturating_sub(1);
        state.last_end = Some(match state.last_end {
            Some(prev) => prev.max(c.end),
            None => c.end,
        });
        let base = self.base_delay(state);
        let current = state.delay.max(base);
        let overloaded = c.timed_out || matches!(c.status, Some(429) | Some(503));
        let mut delay = if overloaded {
            state.consecutive_backoffs = state.consecutive_backoffs.saturating_add(1);
            // From a zero base, start widening at 1 s so the factor has something to act on.
            let from = if current.is_zero() {
                Duration::from_secs(1)
            } else {
                current
            };
            mul(from, self.cfg.backoff_factor)
        } else {
            state.consecutive_backoffs = 0;
            let decayed = mul(current, self.cfg.recovery_factor).max(base);
            if c.elapsed > self.cfg.slow_response {
                decayed.max(c.elapsed)
            } else {
                decayed
            }
        };
        delay = delay.max(base).min(self.cfg.max_delay.max(base));
        state.delay = delay;
        if let Some(ra) = c.retry_after {
            let until = c.end + ra.min(self.cfg.max_retry_after);
            state.not_before = Some(state.not_before.map_or(until, |nb| nb.max(until)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> PolitenessConfig {
        PolitenessConfig {
            min_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            slow_response: Duration::from_secs(5),
            ..PolitenessConfig::default()
        }
    }

    fn done(end: Instant, elapsed_ms: u64, status: u16) -> Completion {
        Completion {
            end,
            elapsed: Duration::from_millis(elapsed_ms),
            status: Some(status),
            retry_after: None,
            timed_out: false,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn fresh_host_is_ready_and_min_delay_applies_after_a_request() {
        let p = PolitenessPolicy::new(cfg());
        let mut s = HostState::default();
        let t0 = tokio::time::Instant::now().into_std();
        assert!(p.can_start(&s, t0));
        p.on_start(&mut s);
        assert!(!p.can_start(&s, t0), "one in flight blocks a second");
        tokio::time::advance(Duration::from_millis(200)).await;
        let end = tokio::time::Instant::now().into_std();
        p.on_complete(&mut s, done(end, 200, 200));
        assert_eq!(p.wait(&s, end), Duration::from_secs(1));
        tokio::time::advance(Duration::from_millis(999)).await;
        assert!(!p.can_start(&s, tokio::time::Instant::now().into_std()));
        tokio::time::advance(Duration::from_millis(1)).await;
        assert!(p.can_start(&s, tokio::time::Instant::now().into_std()));
    }

    #[test]
    fn crawl_delay_raises_the_floor_but_is_capped() {
        let p = PolitenessPolicy::new(PolitenessConfig {
            max_crawl_delay: Duration::from_secs(10),
            ..cfg()
        });
        let mut s = HostState::default();
        p.set_crawl_delay(&mut s, Some(Duration::from_secs(4)));
        assert_eq!(p.next_delay(&s), Duration::from_secs(4));
        p.set_crawl_delay(&mut s, Some(Duration::from_secs(600)));
        assert_eq!(p.next_delay(&s), Duration::from_secs(10));
        p.set_crawl_delay(&mut s, Some(Duration::from_millis(100)));
        assert_eq!(
            p.next_delay(&s),
            Duration::from_secs(1),
            "min_delay is the floor"
        );
    }

    #[test]
    fn overload_widens_then_success_recovers_to_base() {
        let p = PolitenessPolicy::new(cfg());
        let mut s = HostState::default();
        let t = Instant::now();
        p.on_start(&mut s);
        p.on_complete(&mut s, done(t, 10, 429));
        assert_eq!(p.next_delay(&s), Duration::from_secs(2));
        p.on_start(&mut s);
        p.on_complete(&mut s, done(t, 10, 503));
        assert_eq!(p.next_delay(&s), Duration::from_secs(4));
        assert_eq!(s.consecutive_backoffs, 2);
        // Widening is capped.
        for _ in 0..10 {
            p.on_start(&mut s);
            p.on_complete(&mut s, done(t, 10, 503));
        }
        assert_eq!(p.next_delay(&s), Duration::from_secs(30));
        // Recovery decays geometrically but never below the base.
        let mut last = p.next_delay(&s);
        for _ in 0..50 {
            p.on_start(&mut s);
            p.on_complete(&mut s, done(t, 10, 200));
            let d = p.next_delay(&s);
            assert!(d <= last);
            last = d;
        }
        assert_eq!(last, Duration::from_secs(1));
        assert_eq!(s.consecutive_backoffs, 0);
    }

    #[test]
    fn timeouts_widen_and_other_errors_do_not() {
        let p = PolitenessPolicy::new(cfg());
        let mut s = HostState::default();
        let t = Instant::now();
        p.on_complete(&mut s, done(t, 10, 500));
        assert_eq!(p.next_delay(&s), Duration::from_secs(1));
        p.on_complete(
            &mut s,
            Completion {
                end: t,
                elapsed: Duration::from_secs(1),
                status: None,
                retry_after: None,
                timed_out: true,
            },
        );
        assert_eq!(p.next_delay(&s), Duration::from_secs(2));
    }

    #[test]
    fn slow_responses_widen_to_their_duration() {
        let p = PolitenessPolicy::new(cfg());
        let mut s = HostState::default();
        let t = Instant::now();
        p.on_complete(&mut s, done(t, 8_000, 200));
        assert_eq!(p.next_delay(&s), Duration::from_secs(8));
        p.on_complete(&mut s, done(t, 4_000, 200));
        assert_eq!(p.next_delay(&s), Duration::from_secs(6), "0.75 × 8 s");
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_sets_not_before_and_is_capped() {
        let p = PolitenessPolicy::new(PolitenessConfig {
            max_retry_after: Duration::from_secs(60),
            ..cfg()
        });
        let mut s = HostState::default();
        let end = tokio::time::Instant::now().into_std();
        p.on_start(&mut s);
        p.on_complete(
            &mut s,
            Completion {
                retry_after: Some(Duration::from_secs(10)),
                ..done(end, 5, 429)
            },
        );
        assert_eq!(p.wait(&s, end), Duration::from_secs(10));
        tokio::time::advance(Duration::from_secs(10)).await;
        assert!(p.can_start(&s, tokio::time::Instant::now().into_std()));
        p.on_complete(
            &mut s,
            Completion {
                retry_after: Some(Duration::from_secs(86_400)),
                ..done(tokio::time::Instant::now().into_std(), 5, 503)
            },
        );
        assert_eq!(
            p.wait(&s, tokio::time::Instant::now().into_std()),
            Duration::from_secs(60)
        );
    }

    #[test]
    fn zero_min_delay_allows_back_to_back_requests() {
        let p = PolitenessPolicy::new(PolitenessConfig {
            min_delay: Duration::ZERO,
            ..cfg()
        });
        let mut s = HostState::default();
        let t = Instant::now();
        p.on_start(&mut s);
        p.on_complete(&mut s, done(t, 1, 200));
        assert!(p.can_start(&s, t));
    }

    #[test]
    fn in_flight_limit_is_configurable() {
        let p = PolitenessPolicy::new(PolitenessConfig {
            max_in_flight_per_host: 2,
            ..cfg()
        });
        let mut s = HostState::default();
        let t = Instant::now();
        p.on_start(&mut s);
        assert!(p.can_start(&s, t));
        p.on_start(&mut s);
        assert!(!p.can_start(&s, t));
    }
}
