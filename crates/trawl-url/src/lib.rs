//! URL canonicalization, scope and spider-trap rules. Pure logic, no I/O.
