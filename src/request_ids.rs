//! The ids of one request: our trace id, the client's correlation id, and when it arrived. The HTTP
//! layer makes them for each request; error bodies quote them and audit events record the correlation
//! id. A plain value, passed to whoever needs it.

use std::sync::Arc;

use uuid::Uuid;

use crate::clock::UnixTime;

/// The ids and arrival time of one request.
#[derive(Clone, Debug)]
pub struct RequestIds {
    /// Our id for this request.
    pub trace_id: Uuid,
    /// The client's `client-request-id` when it sent a GUID (MSAL does), else a new one.
    pub correlation_id: Uuid,
    /// When the request arrived, by the server's clock.
    pub started: UnixTime,
    /// Base for `error_uri` links.
    pub public_url: Arc<str>,
}

impl RequestIds {
    pub fn new(correlation_id: Option<Uuid>, started: UnixTime, public_url: Arc<str>) -> Self {
        Self {
            trace_id: Uuid::new_v4(),
            correlation_id: correlation_id.unwrap_or_else(Uuid::new_v4),
            started,
            public_url,
        }
    }
}
