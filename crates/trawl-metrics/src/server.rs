//! The HTTP server for `/metrics`, `/healthz` and `/readyz`.

use std::io;
use std::net::SocketAddr;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use prometheus::{Encoder, Registry, TextEncoder};
use tokio::task::JoinHandle;

use crate::health::Health;

#[derive(Clone)]
struct AppState {
    registry: Registry,
    health: Health,
}

/// Serve the global registry ([`crate::global()`]) and `health` on `addr` (port 0 picks a free port).
///
/// Returns the bound address and the server task; abort the task to stop serving. Must be called inside a
/// tokio runtime. Routes:
/// - `GET /metrics`: Prometheus text format;
/// - `GET /healthz`: 200 while the process is alive;
/// - `GET /readyz`: 200 while every dependency registered in `health` is up, else 503; the body lists them.
pub async fn serve(
    addr: SocketAddr,
    health: Health,
) -> Result<(SocketAddr, JoinHandle<()>), io::Error> {
    serve_registry(addr, health, crate::global().registry.clone()).await
}

/// [`serve`] with an explicit registry (tests, or a process that keeps its own).
pub async fn serve_registry(
    addr: SocketAddr,
    health: Health,
    registry: Registry,
) -> Result<(SocketAddr, JoinHandle<()>), io::Error> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let app = router(registry, health);
    let handle = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, addr = %local, "metrics server stopped");
        }
    });
    tracing::info!(addr = %local, "serving /metrics /healthz /readyz");
    Ok((local, handle))
}

fn router(registry: Registry, health: Health) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(AppState { registry, health })
}

async fn metrics(State(state): State<AppState>) -> Response {
    let encoder = TextEncoder::new();
    let mut buf = Vec::with_capacity(16 * 1024);
    match encoder.encode(&state.registry.gather(), &mut buf) {
        Ok(()) => (
            [(header::CONTENT_TYPE, encoder.format_type().to_owned())],
            buf,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "encoding metrics failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("encoding metrics failed: {e}\n"),
            )
                .into_response()
        }
    }
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn readyz(State(state): State<AppState>) -> Response {
    let deps = state.health.snapshot();
    let ready = deps.iter().all(|(_, up)| *up);
    let mut body = String::from(if ready { "ready\n" } else { "not ready\n" });
    for (name, up) in deps {
        body.push_str(name.as_str());
        body.push_str(if up { ": up\n" } else { ": down\n" });
    }
    let code = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Metrics;

    async fn get(client: &reqwest::Client, addr: SocketAddr, path: &str) -> (u16, String, String) {
        let resp = client
            .get(format!("http://{addr}{path}"))
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let ct = resp
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap_or("").to_owned())
            .unwrap_or_default();
        (status, ct, resp.text().await.unwrap())
    }

    #[tokio::test]
    async fn serves_metrics_healthz_readyz() {
        let m = Metrics::new().unwrap();
        let health = Health::new();
        let (addr, handle) = serve_registry(
            "127.0.0.1:0".parse().unwrap(),
            health.clone(),
            m.registry.clone(),
        )
        .await
        .unwrap();
        assert_ne!(addr.port(), 0);
        let client = reqwest::Client::builder().no_proxy().build().unwrap();

        m.articles_published_total.inc_by(3);
        let (code, ct, body) = get(&client, addr, "/metrics").await;
        assert_eq!(code, 200);
        assert!(ct.starts_with("text/plain"), "{ct}");
        assert!(body.contains("trawl_articles_published_total 3"), "{body}");

        let (code, _, _) = get(&client, addr, "/healthz").await;
        assert_eq!(code, 200);

        // No dependencies registered: ready.
        assert_eq!(get(&client, addr, "/readyz").await.0, 200);
        health.set_ready(crate::Component::Amqp, true);
        health.set_ready(crate::Component::Redis, false);
        let (code, _, body) = get(&client, addr, "/readyz").await;
        assert_eq!(code, 503);
        assert!(
            body.contains("redis: down") && body.contains("amqp: up"),
            "{body}"
        );
        // Liveness is unaffected by readiness.
        assert_eq!(get(&client, addr, "/healthz").await.0, 200);
        health.set_ready(crate::Component::Redis, true);
        assert_eq!(get(&client, addr, "/readyz").await.0, 200);
        health.set_ready(crate::Component::Amqp, false);
        assert_eq!(get(&client, addr, "/readyz").await.0, 503);

        assert_eq!(get(&client, addr, "/nope").await.0, 404);
        handle.abort();
    }

    #[tokio::test]
    async fn global_serve_binds_port_zero() {
        let (addr, handle) = serve("127.0.0.1:0".parse().unwrap(), Health::new())
            .await
            .unwrap();
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        let (code, _, body) = get(&client, addr, "/metrics").await;
        assert_eq!(code, 200);
        assert!(body.contains("trawl_build_info"));
        handle.abort();
    }

    #[tokio::test]
    async fn bind_conflict_is_an_error() {
        let (addr, handle) = serve("127.0.0.1:0".parse().unwrap(), Health::new())
            .await
            .unwrap();
        assert!(serve(addr, Health::new()).await.is_err());
        handle.abort();
    }
}
