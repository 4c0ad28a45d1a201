//! A tiny HTTP/1.1 test server on 127.0.0.1:0 that logs every request with timestamps.
//! Hand-written on tokio so tests can misbehave precisely (trickle, reset, raw bytes).

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Lower-cased header names.
    pub headers: HashMap<String, String>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|s| s.as_str())
    }
}

#[derive(Debug, Clone)]
pub struct LogEntry {
    pub req: Request,
    /// When the request head had been read.
    pub start: Instant,
    /// When the response had been written (or the connection dropped).
    pub end: Instant,
}

pub enum Reply {
    /// A complete response with Content-Length.
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Raw bytes, then close.
    Raw(Vec<u8>),
    /// Status line and headers, then `body` one byte per `every`.
    Trickle {
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        every: Duration,
    },
    /// Headers announcing `declared` bytes, `sent` of them, then a TCP reset.
    ResetAfter { declared: usize, sent: usize },
    /// Sleep, then reply.
    Delay(Duration, Box<Reply>),
    /// Never answer (hold the connection).
    Hang,
}

impl Reply {
    pub fn html(body: &str) -> Reply {
        Reply::Full {
            status: 200,
            headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    pub fn status(status: u16) -> Reply {
        Reply::Full {
            status,
            headers: vec![("Content-Type".into(), "text/plain".into())],
            body: format!("status {status}").into_bytes(),
        }
    }

    pub fn text(status: u16, ct: &str, body: &str) -> Reply {
        Reply::Full {
            status,
            headers: vec![("Content-Type".into(), ct.into())],
            body: body.as_bytes().to_vec(),
        }
    }

    pub fn redirect(status: u16, to: &str) -> Reply {
        Reply::Full {
            status,
            headers: vec![("Location".into(), to.into())],
            body: Vec::new(),
        }
    }

    pub fn with_header(mut self, k: &str, v: &str) -> Reply {
        match &mut self {
            Reply::Full { headers, .. } | Reply::Trickle { headers, .. } => {
                headers.push((k.into(), v.into()))
            }
            _ => {}
        }
        self
    }
}

pub type Handler = Arc<dyn Fn(&Request) -> Reply + Send + Sync>;

pub struct Server {
    pub addr: SocketAddr,
    pub log: Arc<Mutex<Vec<LogEntry>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    pub async fn start<F>(handler: F) -> Server
    where
        F: Fn(&Request) -> Reply + Send + Sync + 'static,
    {
        Self::start_on("127.0.0.1:0", handler).await
    }

    pub async fn start_on<F>(bind: &str, handler: F) -> Server
    where
        F: Fn(&Request) -> Reply + Send + Sync + 'static,
    {
        let listener = TcpListener::bind(bind).await.expect("bind test server");
        let addr = listener.local_addr().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let handler: Handler = Arc::new(handler);
        let l2 = log.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((sock, _)) = listener.accept().await else {
                    continue;
                };
                let (h, l) = (handler.clone(), l2.clone());
                tokio::spawn(async move {
                    let _ = serve_conn(sock, h, l).await;
                });
            }
        });
        Server { addr, log, task }
    }

    pub fn url(&self, path: &str) -> url::Url {
        url::Url::parse(&format!("http://{}{}", self.addr, path)).unwrap()
    }

    pub fn entries(&self) -> Vec<LogEntry> {
        self.log.lock().unwrap().clone()
    }

    pub fn count(&self, path: &str) -> usize {
        self.entries().iter().filter(|e| e.req.path == path).count()
    }
}

async fn read_head(sock: &mut TcpStream, buf: &mut Vec<u8>) -> Option<Request> {
    loop {
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..pos]).to_string();
            buf.drain(..pos + 4);
            let mut lines = head.split("\r\n");
            let first = lines.next()?;
            let mut parts = first.split(' ');
            let method = parts.next()?.to_string();
            let path = parts.next()?.to_string();
            let headers = lines
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                .collect();
            return Some(Request {
                method,
                path,
                headers,
            });
        }
        let mut chunk = [0u8; 4096];
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

fn head(status: u16, headers: &[(String, String)], len: Option<usize>) -> Vec<u8> {
    let mut s = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (k, v) in headers {
        s.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(n) = len {
        s.push_str(&format!("Content-Length: {n}\r\n"));
    }
    s.push_str("\r\n");
    s.into_bytes()
}

async fn serve_conn(
    mut sock: TcpStream,
    handler: Handler,
    log: Arc<Mutex<Vec<LogEntry>>>,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    while let Some(req) = read_head(&mut sock, &mut buf).await {
        let start = Instant::now();
        let mut reply = handler(&req);
        let mut keep = true;
        loop {
            match reply {
                Reply::Delay(d, inner) => {
                    tokio::time::sleep(d).await;
                    reply = *inner;
                    continue;
                }
                Reply::Full {
                    status,
                    headers,
                    body,
                } => {
                    let no_body = status == 304 || req.method == "HEAD";
                    let mut out =
                        head(status, &headers, Some(if no_body { 0 } else { body.len() }));
                    if !no_body {
                        out.extend_from_slice(&body);
                    }
                    sock.write_all(&out).await?;
                }
                Reply::Raw(bytes) => {
                    sock.write_all(&bytes).await?;
                    keep = false;
                }
                Reply::Trickle {
                    headers,
                    body,
                    every,
                } => {
                    sock.write_all(&head(200, &headers, Some(body.len())))
                        .await?;
                    for b in body {
                        tokio::time::sleep(every).await;
                        if sock.write_all(&[b]).await.is_err() {
                            break;
                        }
                    }
                    keep = false;
                }
                Reply::ResetAfter { declared, sent } => {
                    let hs = vec![("Content-Type".to_string(), "text/html".to_string())];
                    sock.write_all(&head(200, &hs, Some(declared))).await?;
                    sock.write_all(&vec![b'a'; sent]).await?;
                    sock.flush().await?;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    #[allow(deprecated)] // blocking-on-drop is the point: send a RST
                    sock.set_linger(Some(Duration::ZERO))?;
                    keep = false;
                }
                Reply::Hang => {
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                    keep = false;
                }
            }
            break;
        }
        log.lock().unwrap().push(LogEntry {
            req,
            start,
            end: Instant::now(),
        });
        if !keep {
            return Ok(());
        }
    }
    Ok(())
}
