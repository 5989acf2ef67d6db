//! Stopping without losing work: on SIGTERM or SIGINT the server stops accepting connections
//! and requests, tells every page, lets what runs finish within a grace period, stops what is
//! left (commands and shells), and writes the history out before the process exits 0.
//! A second signal cuts the grace short.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, watch};

/// The requests running now, so that stopping can wait for them and then cancel them.
#[derive(Default)]
pub struct Drain {
    stopping: AtomicBool,
    next: AtomicU64,
    running: Mutex<HashMap<u64, Arc<Notify>>>,
    /// Woken whenever a request ends.
    ended: Notify,
}

/// A running request's place in the drain: leaving it (drop) says the request ended.
pub struct Ticket<'a> {
    drain: &'a Drain,
    id: u64,
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        self.drain.map().remove(&self.id);
        self.drain.ended.notify_waiters();
    }
}

/// What stopping did with the requests that were running.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Drained {
    /// Requests that ended by themselves within the grace period.
    pub finished: usize,
    /// Requests cancelled when it ran out.
    pub cancelled: usize,
}

impl Drain {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Notify>>> {
        self.running.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }

    /// Counts a request in, with what cancels it; `None` once the server is stopping (the
    /// caller refuses the request).
    pub fn enter(&self, cancel: Arc<Notify>) -> Option<Ticket<'_>> {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let mut map = self.map();
        // Checked under the lock: a request is either counted before stopping begins or
        // refused, never started unseen.
        if self.stopping() {
            return None;
        }
        map.insert(id, cancel);
        Some(Ticket { drain: self, id })
    }

    pub fn running(&self) -> usize {
        self.map().len()
    }

    /// Refuses new requests from now on.
    pub fn begin(&self) {
        let _map = self.map();
        self.stopping.store(true, Ordering::Release);
    }

    /// Waits until nothing runs or `grace` passes (or `cut` fires), then cancels what is left
    /// and waits up to `after` for it to go.
    pub async fn finish(
        &self,
        grace: Duration,
        after: Duration,
        cut: impl Future<Output = ()>,
    ) -> Drained {
        let at_start = self.running();
        let deadline = tokio::time::Instant::now() + grace;
        tokio::pin!(cut);
        loop {
            // Registered before looking, so an end in between is not missed.
            let ended = self.ended.notified();
            if self.running() == 0 {
                return Drained {
                    finished: at_start,
                    cancelled: 0,
                };
            }
            tokio::select! {
                () = ended => {}
                () = tokio::time::sleep_until(deadline) => break,
                () = &mut cut => break,
            }
        }
        let left: Vec<Arc<Notify>> = self.map().values().cloned().collect();
        for cancel in &left {
            // A stored permit: a request about to start stops as soon as it does.
            cancel.notify_one();
        }
        let until = Instant::now() + after;
        while self.running() > 0 && Instant::now() < until {
            let ended = self.ended.notified();
            if self.running() == 0 {
                break;
            }
            let _ = tokio::time::timeout(Duration::from_millis(50), ended).await;
        }
        if self.running() > 0 {
            tracing::warn!(
                left = self.running(),
                "requests still running after being cancelled"
            );
        }
        Drained {
            finished: at_start.saturating_sub(left.len()),
            cancelled: left.len(),
        }
    }
}

/// Resolves at the first SIGTERM or SIGINT; the receiver then sees the second one. The
/// handlers are in place when this returns (before the server says it listens): a signal
/// right after start-up is a clean stop too, not the default action.
pub fn signals() -> (impl Future<Output = ()>, watch::Receiver<u32>) {
    use tokio::signal::unix::{SignalKind, signal};
    let (tx, rx) = watch::channel(0u32);
    let mut first = rx.clone();
    let listen = |kind: SignalKind, name: &str| match signal(kind) {
        Ok(s) => Some(s),
        Err(e) => {
            tracing::warn!(error = %e, "cannot listen for {name}");
            None
        }
    };
    let mut term = listen(SignalKind::terminate(), "SIGTERM");
    let mut int = listen(SignalKind::interrupt(), "SIGINT");
    tokio::spawn(async move {
        async fn next(s: &mut Option<tokio::signal::unix::Signal>) -> Option<()> {
            match s.as_mut() {
                Some(s) => s.recv().await,
                None => std::future::pending().await,
            }
        }
        loop {
            let got = tokio::select! {
                r = next(&mut term) => r.is_some(),
                r = next(&mut int) => r.is_some(),
            };
            if !got {
                return;
            }
            tx.send_modify(|n| *n += 1);
        }
    });
    let first_signal = async move {
        let _ = first.wait_for(|n| *n >= 1).await;
    };
    (first_signal, rx)
}

/// Resolves at the second signal.
pub async fn second(mut rx: watch::Receiver<u32>) {
    if rx.wait_for(|n| *n >= 2).await.is_err() {
        std::future::pending::<()>().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn waits_for_what_ends_in_time_and_cancels_the_rest() {
        let drain = Arc::new(Drain::default());
        let quick = Arc::new(Notify::new());
        let slow = Arc::new(Notify::new());
        let (q, s) = (quick.clone(), slow.clone());
        let d1 = drain.clone();
        let quick_task = tokio::spawn(async move {
            let _t = d1.enter(q).expect("not stopping yet");
            tokio::time::sleep(Duration::from_millis(100)).await;
        });
        let d2 = drain.clone();
        let slow_task = tokio::spawn(async move {
            let _t = d2.enter(s.clone()).expect("not stopping yet");
            // Runs until cancelled.
            s.notified().await;
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(drain.running(), 2);
        drain.begin();
        assert!(
            drain.enter(Arc::new(Notify::new())).is_none(),
            "refused once stopping"
        );
        let started = Instant::now();
        let done = drain
            .finish(
                Duration::from_millis(400),
                Duration::from_secs(2),
                std::future::pending(),
            )
            .await;
        assert_eq!(
            done,
            Drained {
                finished: 1,
                cancelled: 1
            }
        );
        assert!(started.elapsed() >= Duration::from_millis(400));
        assert_eq!(drain.running(), 0);
        quick_task.await.expect("quick ended");
        slow_task.await.expect("slow ended");
    }

    #[tokio::test]
    async fn nothing_running_is_no_wait_and_a_cut_is_at_once() {
        let drain = Drain::default();
        drain.begin();
        let started = Instant::now();
        let done = drain
            .finish(
                Duration::from_secs(30),
                Duration::from_secs(1),
                std::future::pending(),
            )
            .await;
        assert_eq!(done, Drained::default());
        assert!(started.elapsed() < Duration::from_secs(1));

        let drain = Arc::new(Drain::default());
        let cancel = Arc::new(Notify::new());
        let d = drain.clone();
        let c = cancel.clone();
        let task = tokio::spawn(async move {
            let _t = d.enter(c.clone()).expect("not stopping yet");
            c.notified().await;
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        drain.begin();
        let started = Instant::now();
        let done = drain
            .finish(Duration::from_secs(30), Duration::from_secs(2), async {})
            .await;
        assert_eq!(done.cancelled, 1);
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "the cut does not wait the grace"
        );
        task.await.expect("ended");
    }
}
