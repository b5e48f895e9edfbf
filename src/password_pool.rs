//! Password verification on a fixed pool of threads, with a bounded queue in front of it.
//!
//! One argon2id verification with Signet's parameters takes ~20 ms of one core and 19 MiB of memory.
//! Run on tokio's blocking pool, a burst of sign-ins ran one verification per request at once: 100
//! concurrent attempts took the server from 20 MB to over 400 MB, and the allocator kept it. Here at most
//! one verification per pool thread runs at a time (so memory for them is bounded by threads × 19 MiB,
//! each thread reusing its own), and at most `queue` more wait; an attempt beyond that is refused at
//! once ([`Busy`]), which the sign-in page answers 429 with `Retry-After`.

use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::oneshot;

use crate::secrets::verify_password;

/// Every pool thread is busy and the queue is full, or the pool has stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many password checks at once")]
pub struct Busy;

struct Job {
    password: String,
    hash: String,
    answer: oneshot::Sender<bool>,
}

/// Verifies passwords on its own threads.
pub struct PasswordPool {
    jobs: SyncSender<Job>,
    threads: usize,
}

impl std::fmt::Debug for PasswordPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordPool").field("threads", &self.threads).finish_non_exhaustive()
    }
}

impl PasswordPool {
    /// A pool of `threads` threads (at least one) with room for `queue` waiting checks.
    pub fn new(threads: usize, queue: usize) -> std::io::Result<Self> {
        let threads = threads.max(1);
        let (jobs, waiting) = sync_channel(queue);
        let waiting = Arc::new(Mutex::new(waiting));
        for n in 0..threads {
            let waiting = Arc::clone(&waiting);
            std::thread::Builder::new().name(format!("signet-password-{n}")).spawn(move || work(&waiting))?;
        }
        Ok(Self { jobs, threads })
    }

    /// A pool with one thread per core, and a queue sixteen times that long: at ~20 ms a check, an
    /// attempt waits at most about a third of a second before its check starts.
    pub fn per_core() -> std::io::Result<Self> {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self::new(cores, 16 * cores)
    }

    /// Whether `password` matches the PHC string `hash`, once a pool thread is free.
    pub async fn verify(&self, password: &str, hash: &str) -> Result<bool, Busy> {
        self.submit(password, hash)?.await.map_err(|_| Busy)
    }

    /// Queues a check, or refuses it when the queue is full.
    fn submit(&self, password: &str, hash: &str) -> Result<oneshot::Receiver<bool>, Busy> {
        let (answer, answered) = oneshot::channel();
        let job = Job { password: password.to_owned(), hash: hash.to_owned(), answer };
        match self.jobs.try_send(job) {
            Ok(()) => Ok(answered),
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => Err(Busy),
        }
    }
}

/// A pool thread: takes the next job until the pool is dropped.
fn work(waiting: &Mutex<Receiver<Job>>) {
    loop {
        let next = waiting.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok(job) = next else { return };
        // The asker may have gone (its request was cancelled); the answer is then dropped.
        let _ = job.answer.send(verify_password(&job.password, &job.hash));
    }
}

#[cfg(test)]
mod tests {
    use super::PasswordPool;
    use crate::secrets::hash_password;

    #[tokio::test]
    async fn checks_passwords_and_refuses_beyond_its_queue() {
        let hash = hash_password("right").unwrap();
        let pool = PasswordPool::new(1, 1).unwrap();
        assert_eq!(pool.verify("right", &hash).await, Ok(true));
        assert_eq!(pool.verify("wrong", &hash).await, Ok(false));
        // A burst of ten within microseconds, while one check takes milliseconds: the thread takes at
        // most one, the queue holds one, and the rest are refused at once.
        let burst: Vec<_> = (0..10).map(|_| pool.submit("wrong", &hash)).collect();
        let refused = burst.iter().filter(|r| r.is_err()).count();
        assert!((8..=9).contains(&refused), "{refused} of 10 refused");
        for accepted in burst.into_iter().flatten() {
            assert_eq!(accepted.await, Ok(false));
        }
    }
}
