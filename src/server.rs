//! Building the application state and running the HTTP server; the binary and the tests share it.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};

use crate::clock::Clock;
use crate::config::{Config, redact_url};
use crate::http::middleware::request_context;
use crate::key_file::KeyFileError;
use crate::password_pool::PasswordPool;
use crate::signing::rotation::{RotationPolicy, maintain, rotate_if_due};
use crate::signing::{KeyError, KeyRing};
use crate::state::AppState;
use crate::store::{Store, StoreError};
use crate::throttle::SignInThrottle;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("database: {0}")]
    Store(#[from] StoreError),
    #[error("keys: {0}")]
    Keys(#[from] KeyError),
    #[error(transparent)]
    KeyFile(#[from] KeyFileError),
    #[error("listen on {0}: {1}")]
    Listen(SocketAddr, std::io::Error),
    #[error(transparent)]
    Tls(#[from] crate::tls::TlsError),
    #[error("built-in resources: {0}")]
    Builtin(#[from] crate::admin::AdminError),
    #[error("password check threads: {0}")]
    Threads(std::io::Error),
}

/// Connects to the database, migrates it, opens the key-encryption key, makes the first signing key
/// when there is none, and loads the key ring.
pub async fn build_state(config: Config, base_url: String, clock: Clock) -> Result<AppState, StartError> {
    let cache_ttl = Duration::from_secs(config.directory_cache_ttl.0);
    let store = Store::connect_with(&config.database_url, cache_ttl, config.sqlite_synchronous, clock.clone()).await?;
    store.migrate().await?;
    let kek = Arc::new(crate::key_file::load_or_create(&config.key_file)?);
    rotate_if_due(&store, &kek, RotationPolicy::from_config(&config), clock.now()).await?;
    let keys = Arc::new(KeyRing::new(store.clone(), Arc::clone(&kek)));
    keys.reload().await?;
    crate::admin::ensure_builtin_resources(&store, &base_url, clock.now()).await?;
    Ok(AppState {
        config: Arc::new(config),
        base_url: base_url.into(),
        store,
        kek,
        keys,
        clock,
        throttle: Arc::new(SignInThrottle::default()),
        passwords: Arc::new(PasswordPool::per_core().map_err(StartError::Threads)?),
    })
}

/// A running server.
pub struct Running {
    pub state: AppState,
    pub addr: SocketAddr,
    handle: ServerHandle,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    maintenance: tokio::task::JoinHandle<()>,
}

impl Running {
    /// Stops accepting, finishes requests in flight, and stops key maintenance and checkpoints.
    pub async fn stop(self) {
        self.handle.stop(true).await;
        let _ = self.server.await;
        self.maintenance.abort();
        let _ = self.maintenance.await;
    }

    /// Waits until the server stops (a signal, or [`stop`](Self::stop) from elsewhere).
    pub async fn wait(self) -> std::io::Result<()> {
        let result = self.server.await.unwrap_or_else(|e| Err(std::io::Error::other(e)));
        self.maintenance.abort();
        result
    }
}

/// The most connections one worker serves at once; more wait in the kernel's accept queue.
const MAX_CONNECTIONS: usize = 4096;

/// Binds, builds the state and serves, over TLS when `tls` is given.
pub async fn start(config: Config, clock: Clock, tls: Option<rustls::ServerConfig>) -> Result<Running, StartError> {
    let listener = TcpListener::bind(config.listen).map_err(|e| StartError::Listen(config.listen, e))?;
    let addr = listener.local_addr().map_err(|e| StartError::Listen(config.listen, e))?;
    let base_url = Config { listen: addr, ..config.clone() }.base_url(tls.is_some());
    tracing::info!(%addr, %base_url, database = %redact_url(&config.database_url), "starting");
    let state = build_state(config, base_url, clock).await?;
    let workers = state.config.workers;
    let data = web::Data::new(state.clone());
    let factory = move || {
        App::new()
            .app_data(data.clone())
            .app_data(web::PayloadConfig::new(64 * 1024))
            .wrap(from_fn(request_context))
            .configure(crate::http::routes)
    };
    // A request head must arrive within 5 s and a body within 10 s of stalling (http/body_deadline.rs);
    // each worker holds at most MAX_CONNECTIONS connections and waits to accept more.
    let mut server = HttpServer::new(factory)
        .disable_signals()
        .shutdown_timeout(5)
        .client_request_timeout(Duration::from_secs(5))
        .max_connections(MAX_CONNECTIONS);
    if workers > 0 {
        server = server.workers(workers);
    }
    let server = match tls {
        Some(tls) => server.listen_rustls_0_23(listener, tls),
        None => server.listen(listener),
    }
    .map_err(|e| StartError::Listen(addr, e))?
    .run();
    let handle = server.handle();
    let keys = maintain(
        state.store.clone(),
        Arc::clone(&state.kek),
        Arc::clone(&state.keys),
        RotationPolicy::from_config(&state.config),
        state.clock.clone(),
        Duration::from_secs(state.config.key_refresh_interval.0),
    );
    let checkpoints = state.store.clone().keep_checkpointing(Duration::from_secs(1));
    let maintenance = tokio::spawn(async move {
        tokio::join!(keys, checkpoints);
    });
    Ok(Running { state, addr, handle, server: tokio::spawn(server), maintenance })
}
