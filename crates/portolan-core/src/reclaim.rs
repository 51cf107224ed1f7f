//! Freeing large trees off the thread that is done with them. A checked
//! API definition's YAML tree and bundled JSON are millions of small
//! allocations: freeing Stripe's took 20 to 30 ms, on the path of every
//! `check` of it. [`drop_later`] hands such a value to one background
//! thread, which frees it while the caller goes on.
//!
//! Memory stays bounded: at most [`PENDING`] values wait, and a caller
//! handing over one more waits for room; the thread holds the newest it
//! took until the next one comes. Values not yet freed when the process
//! ends never are, which is what exiting does anyway.

use std::sync::OnceLock;
use std::sync::mpsc::{self, SyncSender};

/// Values waiting to be freed, at most.
const PENDING: usize = 4;

type Garbage = Box<dyn Send>;

fn freer() -> Option<&'static SyncSender<Garbage>> {
    static FREER: OnceLock<Option<SyncSender<Garbage>>> = OnceLock::new();
    FREER
        .get_or_init(|| {
            let (sender, receiver) = mpsc::sync_channel::<Garbage>(PENDING);
            std::thread::Builder::new()
                .name("portolan-free".into())
                .spawn(move || {
                    // The newest value is held until the next comes: the
                    // last ones of a run are never freed, which is what
                    // exiting does anyway, and freeing them would only
                    // have the allocator return their pages to the kernel
                    // (madvise, TLB flushes) while the run finishes.
                    let mut held: Option<Garbage> = None;
                    for value in receiver {
                        drop(held.replace(value));
                    }
                })
                .ok()
                .map(|_| sender)
        })
        .as_ref()
}

/// Drop `value` on the background thread (here, when that thread cannot
/// be started).
pub fn drop_later<T: Send + 'static>(value: T) {
    match freer() {
        Some(sender) => {
            // The thread never stops while a sender lives; should it have
            // died, the value comes back and is dropped here.
            if let Err(mpsc::SendError(value)) = sender.send(Box::new(value)) {
                drop(value);
            }
        }
        None => drop(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Counted(Arc<AtomicUsize>);

    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn values_handed_over_are_dropped() {
        let dropped = Arc::new(AtomicUsize::new(0));
        for _ in 0..100 {
            drop_later(Counted(dropped.clone()));
        }
        // The sender blocks when PENDING wait: all but those, the one
        // held and the one being freed are freed.
        assert!(dropped.load(Ordering::SeqCst) >= 100 - PENDING - 2);
        let wait_for = |count: usize| {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while dropped.load(Ordering::SeqCst) < count && std::time::Instant::now() < deadline {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            dropped.load(Ordering::SeqCst)
        };
        // The newest is held until another comes.
        assert!(wait_for(99) >= 99);
        drop_later(Counted(Arc::new(AtomicUsize::new(0))));
        assert_eq!(wait_for(100), 100);
    }
}
