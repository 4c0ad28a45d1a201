//! The file side: WARC files in a directory, one gzip member per record, rotated by size,
//! `.warc.gz.open` while written and renamed to `.warc.gz` (with a `.warc.gz.cdxj` index
//! beside it) when closed.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Utc;
use flate2::write::GzEncoder;
use flate2::Compression;

use crate::capture::{build_records, warcinfo_record, DedupIndex, FetchCapture};
use crate::cdxj::CdxjEntry;
use crate::record::{timestamp14, Record, RecordType};

/// Where and how to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriterConfig {
    /// Directory of the files (created if missing).
    pub dir: PathBuf,
    /// First part of every file name.
    pub prefix: String,
    /// A file is closed and a new one started once it reaches this size (compressed bytes;
    /// checked after each fetch, so the records of one fetch stay in one file).
    pub max_file_bytes: u64,
    /// Payload digests remembered for `revisit` records (0: no payload deduplication).
    pub dedup_capacity: usize,
    /// Fields of the `warcinfo` record after `software`, `format`, `conformsTo` and
    /// `hostname` (e.g. `operator`, `robots`, `http-header-user-agent`).
    pub info: Vec<(String, String)>,
    /// The `software` field, e.g. `trawl/0.1.0`.
    pub software: String,
}

impl WriterConfig {
    pub fn new(dir: impl Into<PathBuf>) -> WriterConfig {
        WriterConfig {
            dir: dir.into(),
            prefix: "trawl".into(),
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            dedup_capacity: DEFAULT_DEDUP_CAPACITY,
            info: Vec::new(),
            software: format!("trawl/{}", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// 1 GiB, the customary size of crawl WARC files.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 1 << 30;
/// Payload digests kept for revisits: about 10 MB of memory.
pub const DEFAULT_DEDUP_CAPACITY: usize = 100_000;

/// Told about everything written, to count it (metrics live above this crate).
pub trait WarcEvents: Send + Sync {
    /// A record of `kind` was written: `bytes` on disk (its gzip member).
    fn record(&self, _kind: RecordType, _bytes: u64) {}
    /// A file was finished (renamed to `.warc.gz`).
    fn file_closed(&self, _path: &Path) {}
    /// A write failed (the records of that fetch may be missing or cut short).
    fn error(&self, _what: &str, _err: &io::Error) {}
}

/// Events that go nowhere.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoEvents;
impl WarcEvents for NoEvents {}

struct OpenFile {
    file: File,
    open_path: PathBuf,
    final_path: PathBuf,
    name: String,
    offset: u64,
    index: Vec<CdxjEntry>,
}

/// Writes [`FetchCapture`]s to rotating WARC files. Synchronous: use it from one thread
/// (see [`crate::WarcSink`] for the async handle).
pub struct WarcWriter {
    cfg: WriterConfig,
    hostname: String,
    pid: u32,
    serial: u32,
    current: Option<OpenFile>,
    dedup: DedupIndex,
    events: Arc<dyn WarcEvents>,
    closed: Vec<PathBuf>,
}

impl std::fmt::Debug for WarcWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WarcWriter")
            .field("dir", &self.cfg.dir)
            .field("prefix", &self.cfg.prefix)
            .field("serial", &self.serial)
            .finish_non_exhaustive()
    }
}

impl WarcWriter {
    /// Create the directory if needed; no file is opened until the first write.
    pub fn new(cfg: WriterConfig, events: Arc<dyn WarcEvents>) -> io::Result<WarcWriter> {
        if cfg.prefix.is_empty() || !cfg.prefix.chars().all(name_char) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "WARC prefix {:?} must be non-empty letters, digits, '.', '_' or '-'",
                    cfg.prefix
                ),
            ));
        }
        std::fs::create_dir_all(&cfg.dir)?;
        Ok(WarcWriter {
            dedup: DedupIndex::new(cfg.dedup_capacity),
            hostname: hostname(),
            pid: std::process::id(),
            serial: 0,
            current: None,
            events,
            closed: Vec::new(),
            cfg,
        })
    }

    /// Files finished so far.
    pub fn closed_files(&self) -> &[PathBuf] {
        &self.closed
    }

    /// The file being written, if any (`….warc.gz.open`).
    pub fn current_path(&self) -> Option<&Path> {
        self.current.as_ref().map(|f| f.open_path.as_path())
    }

    /// Write one fetch's records (each its own gzip member, written through to the OS), then
    /// rotate if the file is full. On an error the file is closed as it is (every record
    /// before the failing one stays readable) and the next write starts a new one.
    pub fn write(&mut self, capture: &FetchCapture) -> io::Result<()> {
        let built = build_records(capture, &mut self.dedup);
        if built.is_empty() {
            return Ok(());
        }
        let result = self.write_records(built);
        if let Err(e) = &result {
            self.events.error("write", e);
            if let Err(e2) = self.finish() {
                self.events.error("close", &e2);
            }
            return result;
        }
        if self
            .current
            .as_ref()
            .is_some_and(|f| f.offset >= self.cfg.max_file_bytes)
        {
            self.finish()?;
        }
        Ok(())
    }

    fn write_records(&mut self, built: Vec<crate::capture::Built>) -> io::Result<()> {
        self.ensure_open()?;
        for b in built {
            let (offset, length) = self.append(&b.record)?;
            if let (Some(info), Some(f)) = (b.index, self.current.as_mut()) {
                f.index.push(CdxjEntry::new(&info, length, offset, &f.name));
            }
        }
        Ok(())
    }

    /// Close the current file: write its CDXJ index, rename `.open` away. Idempotent.
    pub fn finish(&mut self) -> io::Result<()> {
        let Some(mut f) = self.current.take() else {
            return Ok(());
        };
        let synced = f.file.flush().and_then(|()| f.file.sync_data());
        drop(f.file);
        // The index goes first: a `.warc.gz` without `.open` always has its `.cdxj`.
        let mut lines: Vec<String> = f.index.iter().map(CdxjEntry::line).collect();
        lines.sort();
        let cdxj = PathBuf::from(format!("{}.cdxj", f.final_path.display()));
        let tmp = PathBuf::from(format!("{}.cdxj.open", f.final_path.display()));
        let mut text = lines.join("\n");
        if !text.is_empty() {
            text.push('\n');
        }
        let indexed = std::fs::write(&tmp, text).and_then(|()| std::fs::rename(&tmp, &cdxj));
        std::fs::rename(&f.open_path, &f.final_path)?;
        self.closed.push(f.final_path.clone());
        self.events.file_closed(&f.final_path);
        synced?;
        indexed
    }

    fn ensure_open(&mut self) -> io::Result<()> {
        if self.current.is_some() {
            return Ok(());
        }
        let now = Utc::now();
        // Serial numbers keep names unique within a process; hostname and pid across them.
        let (file, name, open_path) = loop {
            self.serial += 1;
            let name = format!(
                "{}-{}-{:05}-{}-{}.warc.gz",
                self.cfg.prefix,
                timestamp14(now),
                self.serial,
                self.hostname,
                self.pid
            );
            let open_path = self.cfg.dir.join(format!("{name}.open"));
            let final_path = self.cfg.dir.join(&name);
            if final_path.exists() {
                continue;
            }
            match OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&open_path)
            {
                Ok(f) => break (f, name, open_path),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        };
        self.current = Some(OpenFile {
            file,
            final_path: self.cfg.dir.join(&name),
            open_path,
            name: name.clone(),
            offset: 0,
            index: Vec::new(),
        });
        let mut fields = vec![
            ("software".to_string(), self.cfg.software.clone()),
            ("format".to_string(), "WARC File Format 1.1".to_string()),
            (
                "conformsTo".to_string(),
                "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
                    .to_string(),
            ),
            ("hostname".to_string(), self.hostname.clone()),
        ];
        fields.extend(self.cfg.info.iter().cloned());
        let info = warcinfo_record(&name, now, &fields);
        self.append(&info)?;
        Ok(())
    }

    /// Compress `record` as one gzip member and write it; returns (offset, length).
    fn append(&mut self, record: &Record) -> io::Result<(u64, u64)> {
        let f = self
            .current
            .as_mut()
            .ok_or_else(|| io::Error::other("no WARC file open"))?;
        let raw = record.to_bytes();
        let mut gz = GzEncoder::new(
            Vec::with_capacity(raw.len() / 3 + 64),
            Compression::default(),
        );
        gz.write_all(&raw)?;
        let member = gz.finish()?;
        f.file.write_all(&member)?;
        let offset = f.offset;
        let length = member.len() as u64;
        f.offset += length;
        self.events.record(record.kind, length);
        Ok((offset, length))
    }
}

impl Drop for WarcWriter {
    fn drop(&mut self) {
        if let Err(e) = self.finish() {
            self.events.error("close", &e);
        }
    }
}

fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

/// This machine's name for file names (the pod name on Kubernetes), reduced to safe
/// characters.
fn hostname() -> String {
    let raw = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_default();
    let clean: String = raw
        .trim()
        .chars()
        .map(|c| if name_char(c) && c != '_' { c } else { '-' })
        .take(63)
        .collect();
    if clean.is_empty() {
        "localhost".to_string()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::tests::exchange;
    use crate::reader::WarcReader;
    use std::sync::atomic::{AtomicU64, Ordering};

    #[derive(Default)]
    struct Count {
        records: AtomicU64,
        files: AtomicU64,
        errors: AtomicU64,
    }
    impl WarcEvents for Count {
        fn record(&self, _k: RecordType, _b: u64) {
            self.records.fetch_add(1, Ordering::Relaxed);
        }
        fn file_closed(&self, _p: &Path) {
            self.files.fetch_add(1, Ordering::Relaxed);
        }
        fn error(&self, _w: &str, _e: &io::Error) {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn capture(i: usize) -> FetchCapture {
        FetchCapture {
            exchanges: vec![exchange(
                &format!("http://a.test/{i}"),
                format!("<p>page {i} {}</p>", "x".repeat(i * 37 % 500)).as_bytes(),
            )],
            metadata: None,
        }
    }

    #[test]
    fn files_rotate_are_renamed_and_indexed() {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = WriterConfig::new(dir.path());
        cfg.prefix = "t-rot".into();
        cfg.max_file_bytes = 2_000;
        let events = Arc::new(Count::default());
        let mut w = WarcWriter::new(cfg, events.clone()).unwrap();
        for i in 0..20 {
            w.write(&capture(i)).unwrap();
        }
        assert!(w
            .current_path()
            .unwrap()
            .to_string_lossy()
            .ends_with(".warc.gz.open"));
        w.finish().unwrap();
        let files = w.closed_files().to_vec();
        assert!(files.len() > 2, "rotated: {files:?}");
        assert_eq!(events.files.load(Ordering::Relaxed), files.len() as u64);
        let mut responses = 0;
        for f in &files {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            assert!(
                name.starts_with("t-rot-") && name.ends_with(".warc.gz"),
                "{name}"
            );
            let recs: Vec<_> = WarcReader::open(f)
                .unwrap()
                .collect::<Result<Vec<_>, _>>()
                .unwrap();
            assert_eq!(
                recs[0].kind(),
                Some("warcinfo"),
                "each file starts with warcinfo"
            );
            assert_eq!(recs[0].header("WARC-Filename"), Some(name.as_str()));
            let cdxj = std::fs::read_to_string(format!("{}.cdxj", f.display())).unwrap();
            let n = recs.iter().filter(|r| r.kind() == Some("response")).count();
            assert_eq!(cdxj.lines().count(), n);
            responses += n;
            // Offsets and lengths in the index point at whole gzip members.
            let bytes = std::fs::read(f).unwrap();
            for line in cdxj.lines() {
                let json: serde_json::Value =
                    serde_json::from_str(line.splitn(3, ' ').nth(2).unwrap()).unwrap();
                let off: usize = json["offset"].as_str().unwrap().parse().unwrap();
                let len: usize = json["length"].as_str().unwrap().parse().unwrap();
                let one: Vec<_> = WarcReader::new(&bytes[off..off + len])
                    .collect::<Result<Vec<_>, _>>()
                    .unwrap();
                assert_eq!(one.len(), 1);
                assert_eq!(one[0].header("WARC-Target-URI"), json["url"].as_str());
            }
        }
        assert_eq!(responses, 20);
        assert!(std::fs::read_dir(dir.path()).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".open")));
        assert_eq!(events.errors.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn dropping_the_writer_closes_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = WarcWriter::new(WriterConfig::new(dir.path()), Arc::new(NoEvents)).unwrap();
        w.write(&capture(1)).unwrap();
        drop(w);
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
        assert!(names.iter().any(|n| n.ends_with(".warc.gz")));
        assert!(names.iter().any(|n| n.ends_with(".warc.gz.cdxj")));
    }

    #[test]
    fn bad_prefix_and_unwritable_dir_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = WriterConfig::new(dir.path());
        cfg.prefix = "a/b".into();
        assert!(WarcWriter::new(cfg, Arc::new(NoEvents)).is_err());
        let file = dir.path().join("plain-file");
        std::fs::write(&file, b"x").unwrap();
        assert!(WarcWriter::new(WriterConfig::new(file.join("sub")), Arc::new(NoEvents)).is_err());
    }

    #[test]
    fn a_failing_disk_is_reported_and_the_next_write_starts_a_new_file() {
        // /dev/full fails every write with ENOSPC: stand it in for the open file.
        let Ok(full) = OpenOptions::new().write(true).open("/dev/full") else {
            eprintln!("skipping: /dev/full not available");
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let events = Arc::new(Count::default());
        let mut w = WarcWriter::new(WriterConfig::new(dir.path()), events.clone()).unwrap();
        w.write(&capture(1)).unwrap();
        w.current.as_mut().unwrap().file = full;
        assert!(w.write(&capture(2)).is_err());
        assert!(events.errors.load(Ordering::Relaxed) >= 1);
        assert!(w.current_path().is_none(), "the broken file was closed");
        w.write(&capture(3)).unwrap();
        w.finish().unwrap();
        assert_eq!(w.closed_files().len(), 2);
    }
}
