//! The frontier service: admits links, dedups, schedules per host, hands out fetch tasks.
