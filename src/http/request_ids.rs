//! Per-request ids: a trace id of our own and the client's correlation id, available to the error
//! renderer without threading them through every function.

use std::sync::Arc;

use uuid::Uuid;

/// The ids and start time of the request being served.
#[derive(Clone, Debug)]
pub struct RequestIds {
    /// Our id for this request.
    pub trace_id: Uuid,
    /// The client's `client-request-id` when it sent a GUID (MSAL does), else a new one.
    pub correlation_id: Uuid,
    /// Unix seconds when the request arrived.
    pub started: i64,
    /// Base for `error_uri` links.
    pub public_url: Arc<str>,
}

tokio::task_local! {
    static CURRENT: RequestIds;
}

impl RequestIds {
    pub fn new(correlation_id: Option<Uuid>, started: i64, public_url: Arc<str>) -> Self {
        Self {
            trace_id: Uuid::new_v4(),
            correlation_id: correlation_id.unwrap_or_else(Uuid::new_v4),
            started,
            public_url,
        }
    }

    /// The ids of the request this task serves; fresh ids outside a request.
    pub fn current() -> Self {
        CURRENT.try_with(Clone::clone).unwrap_or_else(|_| Self::new(None, crate::clock::system_now(), Arc::from("")))
    }

    /// Runs `fut` with these ids as the current ones.
    pub async fn scope<F: std::future::Future>(self, fut: F) -> F::Output {
        CURRENT.scope(self, fut).await
    }
}
