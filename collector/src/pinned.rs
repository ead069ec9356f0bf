//! One OS thread that runs a sink's blocking work in order: the webhook outboxes' and the
//! alerts' SQLite calls each run on a thread of their own, one job after the other.
//!
//! Why not tokio's blocking pool: the jobs are short and must keep their order (an append
//! before the acknowledgement that follows it), and a busy pool (the store's rollups) would
//! delay a notification behind unrelated work. One thread per sink keeps each queue in order
//! and off the pool.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;

type Job = Box<dyn FnOnce() + Send>;

/// The thread, and the queue of its jobs (it ends when this is dropped).
#[derive(Debug)]
pub struct Pinned {
    jobs: mpsc::Sender<Job>,
}

/// The job panicked (the panic was caught: the thread goes on with the next job), or the
/// thread is gone.
#[derive(Debug, thiserror::Error)]
#[error("the {0} thread's job panicked or the thread is gone")]
pub struct JobFailed(&'static str);

impl Pinned {
    /// Starts the thread, named `name`.
    pub fn new(name: &'static str) -> std::io::Result<Pinned> {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || {
                while let Ok(job) = queue.recv() {
                    job();
                }
            })?;
        Ok(Pinned { jobs })
    }

    /// Runs `f` on the thread, after the jobs before it; its result, or [`JobFailed`].
    pub async fn run<T: Send + 'static>(
        &self,
        name: &'static str,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, JobFailed> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(catch_unwind(AssertUnwindSafe(f)));
        });
        self.jobs.send(job).map_err(|_| JobFailed(name))?;
        match rx.await {
            Ok(Ok(v)) => Ok(v),
            _ => Err(JobFailed(name)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_on_one_thread_in_order_and_a_panic_is_an_error() {
        let p = Pinned::new("test-pinned").unwrap();
        let a = p.run("t", || std::thread::current().id()).await.unwrap();
        let b = p.run("t", || std::thread::current().id()).await.unwrap();
        assert_eq!(a, b);
        assert_ne!(a, std::thread::current().id());
        let r = p.run("t", || -> u8 { panic!("boom") }).await;
        assert!(r.is_err());
        // The thread goes on after a panic.
        assert_eq!(p.run("t", || 7).await.unwrap(), 7);
    }
}
