//! Readiness state shared between a process's connection managers and its `/readyz` endpoint.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, RwLock};

/// A dependency whose state `/readyz` reports. The variants are in the order of their names,
/// the order `/readyz` lists them in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Component {
    /// The RabbitMQ connection.
    Amqp,
    /// The PostgreSQL connection of `trawl sink postgres`.
    Postgres,
    /// The Redis connection.
    Redis,
    /// Set down by a service that is shutting down, to leave the load balancer before it
    /// drains.
    Shutdown,
}

impl Component {
    /// Every component, in name order.
    pub const ALL: [Component; 4] = [
        Component::Amqp,
        Component::Postgres,
        Component::Redis,
        Component::Shutdown,
    ];

    /// The name shown by `/readyz` and in logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Component::Amqp => "amqp",
            Component::Postgres => "postgres",
            Component::Redis => "redis",
            Component::Shutdown => "shutdown",
        }
    }
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A cheap, cloneable handle on the readiness of a process's dependencies.
///
/// Each dependency ([`Component::Amqp`], [`Component::Redis`], ...) is registered by the first
/// [`Health::set_ready`] call for it; the process is ready while every registered dependency is
/// up. A process with none registered is ready. A service that is shutting down can call
/// `set_ready(Component::Shutdown, false)` to leave the load balancer before it drains.
#[derive(Debug, Clone, Default)]
pub struct Health {
    deps: Arc<RwLock<BTreeMap<Component, bool>>>,
}

impl Health {
    /// A handle with no dependencies registered (ready).
    pub fn new() -> Self {
        Self::default()
    }

    /// Register `dependency` (if new) and set whether it is up.
    pub fn set_ready(&self, dependency: Component, up: bool) {
        let mut deps = match self.deps.write() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        deps.insert(dependency, up);
    }

    /// Forget `dependency` (it no longer affects readiness).
    pub fn remove(&self, dependency: Component) {
        let mut deps = match self.deps.write() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        deps.remove(&dependency);
    }

    /// True while every registered dependency is up.
    pub fn is_ready(&self) -> bool {
        self.snapshot().iter().all(|(_, up)| *up)
    }

    /// The registered dependencies and their state, sorted by name.
    pub fn snapshot(&self) -> Vec<(Component, bool)> {
        let deps = match self.deps.read() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        deps.iter().map(|(k, v)| (*k, *v)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_is_ready() {
        assert!(Health::new().is_ready());
    }

    #[test]
    fn ready_only_when_all_up() {
        let h = Health::new();
        let clone = h.clone();
        h.set_ready(Component::Amqp, true);
        assert!(h.is_ready());
        clone.set_ready(Component::Redis, false);
        assert!(!h.is_ready(), "a clone shares state");
        h.set_ready(Component::Redis, true);
        assert!(h.is_ready());
        h.set_ready(Component::Amqp, false);
        assert!(!clone.is_ready());
        h.remove(Component::Amqp);
        assert!(h.is_ready());
        assert_eq!(h.snapshot(), vec![(Component::Redis, true)]);
    }

    #[test]
    fn components_are_ordered_by_name() {
        let names: Vec<&str> = Component::ALL.iter().map(|c| c.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        assert!(Component::ALL.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(Component::Amqp.to_string(), "amqp");
    }
}
