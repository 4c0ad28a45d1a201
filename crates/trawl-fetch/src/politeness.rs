//! The fetcher's per-host politeness gate: a pure component (no I/O, no clock) that decides
//! when the next request to a host may start, in-process.
//!
//! How a response changes the host's delay is not decided here: [`PolitenessPolicy::on_complete`]
//! applies the one rule shared with the frontier, [`trawl_core::politeness::PolitenessRule`]
//! (`docs/politeness.md`), with this config's knobs. This module keeps what only an in-process
//! gate needs: per-host [`HostState`] with `Instant`s (end of the last request, Retry-After
//! horizon) and the in-flight count. Call [`PolitenessPolicy::on_start`] when a request to the
//! host starts, [`PolitenessPolicy::on_complete`] with what came back, and
//! [`PolitenessPolicy::ready_at`] / [`PolitenessPolicy::wait`] to know when the host may be
//! asked again. Every input that depends on time (`Instant`, `Duration`) is passed in.
//!
//! - at most `max_in_flight_per_host` requests at once (default 1);
//! - the next request starts no earlier than `end + delay` (the rule's adaptive delay, within
//!   `min_delay` raised to the capped Crawl-delay and `max_delay`) and no earlier than
//!   `end + hold` (Retry-After, capped by `max_retry_after`).

use serde::Deserialize;
use std::time::{Duration, Instant};
use trawl_core::politeness::{PolitenessRule, Response};

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
    /// The least delay after a 429, 503 or timeout without Retry-After.
    #[serde(with = "serde_secs")]
    pub backoff_min_delay: Duration,
    /// Multiplier (< 1) applied to a widened delay after a normal response.
    pub recovery_factor: f64,
}

/// The shared rule's defaults ([`PolitenessRule::default`]), gate on, one request in flight.
impl Default for PolitenessConfig {
    fn default() -> Self {
        let r = PolitenessRule::default();
        PolitenessConfig {
            enabled: true,
            max_in_flight_per_host: 1,
            min_delay: r.min_delay,
            max_delay: r.max_delay,
            max_crawl_delay: r.max_crawl_delay,
            max_retry_after: r.max_retry_after,
            slow_response: r.slow_response,
            backoff_factor: r.backoff_factor,
            backoff_min_delay: r.backoff_min_delay,
            recovery_factor: r.recovery_factor,
        }
    }
}

impl PolitenessConfig {
    /// The gate of a worker under a frontier: the base gap (`min_delay` raised to the
    /// Crawl-delay) between its own requests to a host — robots.txt, redirect hops and retries
    /// within one task — and nothing adaptive. The frontier applies the same rule to every
    /// report with the host's state shared by all workers (backoff after 429/503/timeouts,
    /// slow responses, Retry-After holds) and leases a host to one task at a time; a second,
    /// per-worker escalation would only hold a leased task back, past its lease.
    pub fn under_frontier(self) -> PolitenessConfig {
        PolitenessConfig {
            max_delay: self.min_delay,
            max_retry_after: Duration::ZERO,
            slow_response: Duration::MAX,
            backoff_factor: 1.0,
            backoff_min_delay: Duration::ZERO,
            recovery_factor: 1.0,
            ..self
        }
    }

    /// The shared rule with these knobs.
    pub fn rule(&self) -> PolitenessRule {
        PolitenessRule {
            min_delay: self.min_delay,
            max_delay: self.max_delay,
            max_crawl_delay: self.max_crawl_delay,
            max_retry_after: self.max_retry_after,
            slow_response: self.slow_response,
            backoff_factor: self.backoff_factor,
            backoff_min_delay: self.backoff_min_delay,
            recovery_factor: self.recovery_factor,
        }
    }
}

/// What the policy needs to know about a finished request: when it ended, and what the
/// shared rule reads of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Completion {
    /// When the request ended (last body byte, or the failure).
    pub end: Instant,
    /// How long it took, its status, Retry-After and whether it timed out.
    pub response: Response,
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
    rule: PolitenessRule,
}

impl Default for PolitenessPolicy {
    fn default() -> Self {
        PolitenessPolicy::new(PolitenessConfig::default())
    }
}

impl PolitenessPolicy {
    pub fn new(cfg: PolitenessConfig) -> Self {
        let rule = cfg.rule();
        PolitenessPolicy { cfg, rule }
    }

    pub fn config(&self) -> &PolitenessConfig {
        &self.cfg
    }

    /// The floor of the delay for this host: `min_delay` raised to its (capped) Crawl-delay.
    pub fn base_delay(&self, state: &HostState) -> Duration {
        self.rule.base_delay(state.crawl_delay)
    }

    /// The gap required after the last request's end before the next start.
    pub fn next_delay(&self, state: &HostState) -> Duration {
        self.rule.delay(state.delay, state.crawl_delay)
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

    /// Record that a request finished; adapts the delay by the shared rule
    /// ([`PolitenessRule::next_delay`]).
    pub fn on_complete(&self, state: &mut HostState, c: Completion) {
        state.in_flight = state.in_flight.saturating_sub(1);
        state.last_end = Some(match state.last_end {
            Some(prev) => prev.max(c.end),
            None => c.end,
        });
        let d = self
            .rule
            .next_delay(state.delay, state.crawl_delay, &c.response);
        state.consecutive_backoffs = if d.overloaded {
            state.consecutive_backoffs.saturating_add(1)
        } else {
            0
        };
        state.delay = d.delay;
        if let Some(hold) = d.hold {
            let until = c.end + hold;
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

    fn response(elapsed_ms: u64, status: u16) -> Response {
        Response {
            elapsed: Duration::from_millis(elapsed_ms),
            status: Some(status),
            ..Response::default()
        }
    }

    fn done(end: Instant, elapsed_ms: u64, status: u16) -> Completion {
        Completion {
            end,
            response: response(elapsed_ms, status),
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
        // The first overload rests the host at least `backoff_min_delay` (5 s), then doubles.
        p.on_complete(&mut s, done(t, 10, 429));
        assert_eq!(p.next_delay(&s), Duration::from_secs(5));
        p.on_start(&mut s);
        p.on_complete(&mut s, done(t, 10, 503));
        assert_eq!(p.next_delay(&s), Duration::from_secs(10));
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
                response: Response {
                    elapsed: Duration::from_secs(1),
                    timed_out: true,
                    ..Response::default()
                },
            },
        );
        assert_eq!(
            p.next_delay(&s),
            Duration::from_secs(5),
            "backoff_min_delay"
        );
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
                end,
                response: Response {
                    retry_after: Some(Duration::from_secs(10)),
                    ..response(5, 429)
                },
            },
        );
        assert_eq!(p.wait(&s, end), Duration::from_secs(10));
        tokio::time::advance(Duration::from_secs(10)).await;
        assert!(p.can_start(&s, tokio::time::Instant::now().into_std()));
        p.on_complete(
            &mut s,
            Completion {
                end: tokio::time::Instant::now().into_std(),
                response: Response {
                    retry_after: Some(Duration::from_secs(86_400)),
                    ..response(5, 503)
                },
            },
        );
        assert_eq!(
            p.wait(&s, tokio::time::Instant::now().into_std()),
            Duration::from_secs(60)
        );
    }

    #[test]
    fn under_a_frontier_the_gate_keeps_the_base_gap_and_nothing_adaptive() {
        let p = PolitenessPolicy::new(cfg().under_frontier());
        let mut s = HostState::default();
        let t = Instant::now();
        // Timeouts, 429s with Retry-After and a slow response: the frontier's business.
        for c in [
            Completion {
                end: t,
                response: Response {
                    elapsed: Duration::from_secs(1),
                    timed_out: true,
                    ..Response::default()
                },
            },
            Completion {
                end: t,
                response: Response {
                    retry_after: Some(Duration::from_secs(600)),
                    ..response(5, 429)
                },
            },
            done(t, 20_000, 200),
        ] {
            p.on_start(&mut s);
            p.on_complete(&mut s, c);
            assert_eq!(p.wait(&s, t), Duration::from_secs(1), "{c:?}");
        }
        // The Crawl-delay still raises the base.
        s.crawl_delay = Some(Duration::from_secs(3));
        p.on_start(&mut s);
        p.on_complete(&mut s, done(t, 5, 503));
        assert_eq!(p.wait(&s, t), Duration::from_secs(3));
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
