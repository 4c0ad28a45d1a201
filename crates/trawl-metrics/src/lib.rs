//! Prometheus metrics for every Trawl process, and the /metrics, /healthz, /readyz server.
