//! [`WarcSink`]: the async handle to a [`WarcWriter`] running on its own thread.
//!
//! Fetch tasks hand their [`FetchCapture`] over a bounded channel (backpressure: a task
//! waits when the disk is slower than the crawl, nothing piles up in memory); the thread
//! compresses and writes. Write failures are logged and counted by the writer's
//! [`WarcEvents`] and never reach the caller: archiving must not stop a crawl.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::sync::{mpsc, oneshot};

use crate::capture::FetchCapture;
use crate::writer::{WarcEvents, WarcWriter, WriterConfig};

/// Captures queued between fetch tasks and the writer thread.
const QUEUE: usize = 64;

enum Msg {
    Capture(Box<FetchCapture>),
    Close(oneshot::Sender<Vec<PathBuf>>),
}

/// Cheap to clone; every clone feeds the same writer.
#[derive(Clone)]
pub struct WarcSink {
    tx: mpsc::Sender<Msg>,
    thread: Arc<Mutex<Option<std::thread::JoinHandle<()>>>>,
    events: Arc<dyn WarcEvents>,
}

impl std::fmt::Debug for WarcSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WarcSink").finish_non_exhaustive()
    }
}

impl WarcSink {
    /// Create the directory (an error here is a configuration error) and start the writer
    /// thread. No file is opened before the first capture.
    pub fn start(cfg: WriterConfig, events: Arc<dyn WarcEvents>) -> std::io::Result<WarcSink> {
        let mut writer = WarcWriter::new(cfg, events.clone())?;
        let (tx, mut rx) = mpsc::channel::<Msg>(QUEUE);
        let thread = std::thread::Builder::new()
            .name("warc-writer".into())
            .spawn(move || {
                while let Some(msg) = rx.blocking_recv() {
                    match msg {
                        Msg::Capture(c) => {
                            if let Err(e) = writer.write(&c) {
                                tracing::warn!(error = %e, "WARC write failed (the article is not affected)");
                            }
                        }
                        Msg::Close(reply) => {
                            rx.close();
                            if let Err(e) = writer.finish() {
                                tracing::warn!(error = %e, "closing the WARC file failed");
                            }
                            let _ = reply.send(writer.closed_files().to_vec());
                            return;
                        }
                    }
                }
                // Every handle dropped without close(): the writer's Drop finishes the file.
            })?;
        Ok(WarcSink {
            tx,
            thread: Arc::new(Mutex::new(Some(thread))),
            events,
        })
    }

    /// Queue one fetch's capture; waits while the queue is full. After [`WarcSink::close`]
    /// the capture is dropped and counted as an error.
    pub async fn submit(&self, capture: FetchCapture) {
        if self.tx.send(Msg::Capture(Box::new(capture))).await.is_err() {
            self.events.error(
                "submit",
                &std::io::Error::other("the WARC writer is closed"),
            );
        }
    }

    /// Write what is queued, close the current file (rename, CDXJ) and stop the thread.
    /// Returns every file finished by this writer. Later calls return an empty list.
    pub async fn close(&self) -> Vec<PathBuf> {
        let (reply, rx) = oneshot::channel();
        let files = if self.tx.send(Msg::Close(reply)).await.is_ok() {
            rx.await.unwrap_or_default()
        } else {
            Vec::new()
        };
        let handle = self.thread.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(h) = handle {
            let _ = tokio::task::spawn_blocking(move || h.join()).await;
        }
        files
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::tests::exchange;
    use crate::writer::NoEvents;

    #[tokio::test]
    async fn captures_from_many_tasks_end_up_in_one_closed_file() {
        let dir = tempfile::tempdir().unwrap();
        let sink = WarcSink::start(WriterConfig::new(dir.path()), Arc::new(NoEvents)).unwrap();
        let mut tasks = Vec::new();
        for i in 0..50 {
            let s = sink.clone();
            tasks.push(tokio::spawn(async move {
                s.submit(FetchCapture {
                    exchanges: vec![exchange(
                        &format!("http://a.test/{i}"),
                        format!("p{i}").as_bytes(),
                    )],
                    metadata: None,
                })
                .await
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let files = sink.close().await;
        assert_eq!(files.len(), 1);
        let n = crate::WarcReader::open(&files[0])
            .unwrap()
            .filter(|r| r.as_ref().unwrap().kind() == Some("response"))
            .count();
        assert_eq!(n, 50);
        assert!(sink.close().await.is_empty(), "close is idempotent");
        // A capture after close is dropped, not a panic.
        sink.submit(FetchCapture::default()).await;
    }
}
