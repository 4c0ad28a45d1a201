//! The closed set of named fetch outcomes. Every fetch ends in exactly one.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How a fetch ended. Used as a bounded metric label (`outcome`) and in reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FetchOutcome {
    /// 2xx with an accepted body.
    Ok,
    /// 304 on a conditional re-fetch.
    NotModified,
    /// The redirect chain hit its limit or looped.
    Redirect,
    /// 4xx (other than those retried).
    ClientError,
    /// 5xx after retries.
    ServerError,
    /// Connect, first-byte or total timeout.
    Timeout,
    /// The host name did not resolve.
    DnsError,
    /// Connection refused, reset, TLS or protocol failure (also mid-body).
    ConnectError,
    /// robots.txt disallows the URL for our user-agent.
    RobotsDenied,
    /// The (decoded) body exceeded the size cap.
    TooLarge,
    /// A Content-Type we do not process.
    WrongType,
    /// The SSRF guard refused the address or scheme.
    BlockedAddress,
}

impl FetchOutcome {
    pub const ALL: [FetchOutcome; 12] = [
        FetchOutcome::Ok,
        FetchOutcome::NotModified,
        FetchOutcome::Redirect,
        FetchOutcome::ClientError,
        FetchOutcome::ServerError,
        FetchOutcome::Timeout,
        FetchOutcome::DnsError,
        FetchOutcome::ConnectError,
        FetchOutcome::RobotsDenied,
        FetchOutcome::TooLarge,
        FetchOutcome::WrongType,
        FetchOutcome::BlockedAddress,
    ];

    /// The snake_case name, as in JSON and metric labels.
    pub fn as_str(self) -> &'static str {
        match self {
            FetchOutcome::Ok => "ok",
            FetchOutcome::NotModified => "not_modified",
            FetchOutcome::Redirect => "redirect",
            FetchOutcome::ClientError => "client_error",
            FetchOutcome::ServerError => "server_error",
            FetchOutcome::Timeout => "timeout",
            FetchOutcome::DnsError => "dns_error",
            FetchOutcome::ConnectError => "connect_error",
            FetchOutcome::RobotsDenied => "robots_denied",
            FetchOutcome::TooLarge => "too_large",
            FetchOutcome::WrongType => "wrong_type",
            FetchOutcome::BlockedAddress => "blocked_address",
        }
    }

    /// Whether a later attempt may succeed (the frontier retries these with backoff
    /// until the task's retry budget is spent, then dead-letters it).
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            FetchOutcome::ServerError
                | FetchOutcome::Timeout
                | FetchOutcome::DnsError
                | FetchOutcome::ConnectError
        )
    }
}

impl fmt::Display for FetchOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_serde() {
        for o in FetchOutcome::ALL {
            let json = serde_json::to_string(&o).unwrap();
            assert_eq!(json, format!("\"{}\"", o.as_str()));
        }
    }

    #[test]
    fn only_network_and_server_failures_are_transient() {
        assert!(FetchOutcome::Timeout.is_transient());
        assert!(!FetchOutcome::ClientError.is_transient());
        assert!(!FetchOutcome::RobotsDenied.is_transient());
    }
}
