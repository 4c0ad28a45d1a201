//! Frontier state: URL seen-set, per-host queues and the host schedule, in memory or in Redis.
