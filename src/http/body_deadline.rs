//! A bound on the time a request body may take to arrive. actix-web times out a request head that
//! does not arrive (`client_request_timeout`), but a handler reading the body waits as long as the
//! client keeps the connection open: a client that announces 100 bytes and sends 10 holds a
//! connection and a task for ever. Every body is read through [`Deadline`]: once the body stalls, the
//! rest must arrive within [`BODY_DEADLINE`], or the read fails and the request is answered 408.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::web::Bytes;
use futures_core::Stream;

/// How long a body may take to arrive once it first has to be waited for.
pub const BODY_DEADLINE: Duration = Duration::from_secs(10);

/// A payload that fails when it has not ended [`BODY_DEADLINE`] after it first made the reader wait.
pub struct Deadline {
    inner: Payload,
    limit: Duration,
    /// Started the first time the body is not there yet; bodies that arrive with the head never set one.
    timer: Option<Pin<Box<tokio::time::Sleep>>>,
}

/// The error a body read gets when its time is up; the middleware answers it 408.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive within {0:?}")]
pub struct BodyTimedOut(pub Duration);

impl Deadline {
    pub fn new(inner: Payload, limit: Duration) -> Self {
        Self { inner, limit, timer: None }
    }

    /// Wraps `payload` as the boxed stream a request carries.
    pub fn wrap(payload: Payload, limit: Duration) -> Payload {
        Payload::Stream { payload: Box::pin(Self::new(payload, limit)) }
    }
}

impl Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Poll::Ready(item) = Pin::new(&mut self.inner).poll_next(cx) {
            return Poll::Ready(item);
        }
        let limit = self.limit;
        let timer = self.timer.get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                BodyTimedOut(limit),
            ))))),
            Poll::Pending => Poll::Pending,
        }
    }
}
