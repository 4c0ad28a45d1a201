//! Schema migrations embedded in the binary: numbered SQL files under `migrations/`,
//! recorded in `schema_migrations`, applied in one transaction under an advisory lock.

/// One migration: its number, a name, and its SQL.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: i32,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every migration, in order. A new one is a new file `migrations/NNNN_name.sql` and a
/// new entry here (a test checks the two agree); a shipped one is never edited.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "articles",
        sql: include_str!("../migrations/0001_articles.sql"),
    },
    Migration {
        version: 2,
        name: "deferred_search",
        sql: include_str!("../migrations/0002_deferred_search.sql"),
    },
    Migration {
        version: 3,
        name: "lz4_toast",
        sql: include_str!("../migrations/0003_lz4_toast.sql"),
    },
];

/// First key of the advisory lock (`pg_advisory_xact_lock(LOCK_KEY, hashtext(schema))`):
/// sinks migrating the same schema wait for each other; other schemas do not.
pub const LOCK_KEY: i32 = 0x7472_6177; // "traw"

/// The newest migration this build knows.
pub fn latest() -> i32 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_and_list_agree() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        files.sort();
        let listed: Vec<String> = MIGRATIONS
            .iter()
            .map(|m| format!("{:04}_{}.sql", m.version, m.name))
            .collect();
        assert_eq!(files, listed);
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(
                m.version,
                i as i32 + 1,
                "migrations are numbered 1, 2, 3..."
            );
            let on_disk = std::fs::read_to_string(dir.join(&listed[i])).unwrap();
            assert_eq!(m.sql, on_disk);
        }
        assert_eq!(latest(), MIGRATIONS.len() as i32);
    }
}
