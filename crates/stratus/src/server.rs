//! The listener: accepts TCP connections, serves HTTP/1.1 with hyper, and
//! shuts down cleanly (in-flight requests finish, the store is flushed) on
//! SIGINT/SIGTERM or when a test drops its handle.

use crate::app::App;
use crate::config::ServeArgs;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// A running server.
pub struct Server {
    pub addr: SocketAddr,
    pub app: Arc<App>,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets in-flight requests finish, and waits.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
        self.app.stop_services().await;
    }
}

/// Opens the store, binds the port and starts serving in the background.
pub async fn start(args: ServeArgs) -> Result<Server, String> {
    let listener = TcpListener::bind((args.host.as_str(), args.port))
        .await
        .map_err(|e| format!("cannot listen on {}:{}: {e}", args.host, args.port))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let app = Arc::new(App::new(&args, format!("http://{addr}"))?);
    app.start_services();
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(accept_loop(listener, app.clone(), stopped));
    Ok(Server { addr, app, stop, task })
}

async fn accept_loop(listener: TcpListener, app: Arc<App>, stopped: watch::Receiver<bool>) {
    // Every connection task holds a sender; shutdown waits until all are gone.
    let (alive, mut all_closed) = tokio::sync::mpsc::channel::<()>(1);
    let mut stop = stopped.clone();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                tokio::spawn(serve_connection(stream, peer, app.clone(), stopped.clone(), alive.clone()));
            }
            _ = stop.changed() => break,
        }
    }
    drop(listener);
    drop(alive);
    if tokio::time::timeout(Duration::from_secs(10), all_closed.recv()).await.is_err() {
        tracing::warn!("some connections were still open after 10 s; closing them");
    }
}

/// Serves one connection (HTTP/1.1 with upgrades) until it ends, or
/// finishes its in-flight request and closes when the server stops.
async fn serve_connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    app: Arc<App>,
    mut stopped: watch::Receiver<bool>,
    _alive: tokio::sync::mpsc::Sender<()>,
) {
    let service = service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
        let app = app.clone();
        req.extensions_mut().insert(peer);
        async move { Ok::<_, std::convert::Infallible>(crate::gateway::handle(app, req).await) }
    });
    let conn = http1::Builder::new().keep_alive(true).serve_connection(TokioIo::new(stream), service).with_upgrades();
    let mut conn = std::pin::pin!(conn);
    let ended = tokio::select! {
        ended = conn.as_mut() => ended,
        _ = stopped.changed() => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = ended {
        tracing::debug!("connection ended: {e}");
    }
}

/// `stratus serve`: runs until SIGINT or SIGTERM.
pub async fn serve_until_signal(args: ServeArgs) -> Result<(), String> {
    init_logging(&args.log_level);
    let storage = if args.in_memory { "in memory".to_string() } else { args.resolved_data_dir().display().to_string() };
    let server = start(args).await?;
    tracing::info!("Stratus {} listening on {} (state: {storage})", env!("CARGO_PKG_VERSION"), server.endpoint());
    println!("Stratus {} ready on {} — state: {storage}", env!("CARGO_PKG_VERSION"), server.endpoint());
    wait_for_signal().await;
    tracing::info!("shutting down");
    server.shutdown().await;
    Ok(())
}

async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match (signal(SignalKind::interrupt()), signal(SignalKind::terminate())) {
        (Ok(mut int), Ok(mut term)) => {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
        }
        _ => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

fn init_logging(level: &str) {
    let filter =
        tracing_subscriber::EnvFilter::try_new(level).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}
