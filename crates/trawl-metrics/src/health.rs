//! Readiness state shared between a process's connection managers and its `/readyz` endpoint.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

/// A cheap, cloneable handle on the readiness of a process's dependencies.
///
/// Each dependency (`"amqp"`, `"redis"`, ...) is registered by the first [`Health::set_ready`] call for its
/// name; the process is ready while every registered dependency is up. A process with none registered is
/// ready. A service that is shutting down can call `set_ready("shutdown", false)` to leave the load balancer
/// before it drains.
#[derive(Debug, Clone, Default)]
pub struct Health {
    deps: Arc<RwLock<BTreeMap<String, bool>>>,
}

impl Health {
    /// A handle with no dependencies registered (ready).
    pub fn new() -> Self {
        Self::default()
    }

    /// Register `dependency` (if new) and set whether it is up.
    pub fn set_ready(&self, dependency: &str, up: bool) {
        let mut deps = match self.deps.write() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        match deps.get_mut(dependency) {
            Some(v) => *v = up,
            None => {
                deps.insert(dependency.to_owned(), up);
            }
        }
    }

    /// Forget `dependency` (it no longer affects readiness).
    pub fn remove(&self, dependency: &str) {
        let mut deps = match self.deps.write() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        deps.remove(dependency);
    }

    /// True while every registered dependency is up.
    pub fn is_ready(&self) -> bool {
        self.snapshot().iter().all(|(_, up)| *up)
    }

    /// The registered dependencies and their state, sorted by name.
    pub fn snapshot(&self) -> Vec<(String, bool)> {
        let deps = match self.deps.read() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        deps.iter().map(|(k, v)| (k.clone(), *v)).collect()
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
        h.set_ready("amqp", true);
        assert!(h.is_ready());
        clone.set_ready("redis", false);
        assert!(!h.is_ready(), "a clone shares state");
        h.set_ready("redis", true);
        assert!(h.is_ready());
        h.set_ready("amqp", false);
        assert!(!clone.is_ready());
        h.remove("amqp");
        assert!(h.is_ready());
        assert_eq!(h.snapshot(), vec![("redis".to_owned(), true)]);
    }
}
