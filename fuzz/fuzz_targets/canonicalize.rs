//! Canonicalization never panics, yields http(s) only, and is idempotent.
#![no_main]
use libfuzzer_sys::fuzz_target;
use trawl_url::{canonicalize, CanonRules, Scope, ScopeConfig, TrapConfig, TrapGuard};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let rules = CanonRules::default();
    let base = url::Url::parse("https://example.com/a/b?c=d").expect("static base");
    let scope = Scope::new(&ScopeConfig::default()).expect("default scope");
    let mut traps = TrapGuard::new(TrapConfig::default());
    for b in [None, Some(&base)] {
        if let Ok(u) = canonicalize(s, b, &rules) {
            assert!(u.scheme() == "http" || u.scheme() == "https");
            assert!(u.fragment().is_none());
            let again = canonicalize(u.as_str(), None, &rules).expect("canonical URL re-parses");
            assert_eq!(
                u.as_str(),
                again.as_str(),
                "canonicalization is not idempotent"
            );
            let _ = scope.check(&u, 0);
            let _ = traps.admit(&u);
            let _ = trawl_url::host_key(&u);
        }
    }
});
