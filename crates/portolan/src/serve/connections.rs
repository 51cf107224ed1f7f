//! How many connections serve keeps open, and for how long (issue 17).
//!
//! Every connection holds a file descriptor. serve used to keep each one
//! until the client closed it, so 1,100 connections that sent nothing used
//! up the usual limit of 1,024 descriptors, and a new request then waited
//! in the kernel's accept queue until it timed out. Now:
//!
//! - a connection is closed after [`IDLE_TIMEOUT`] without a request
//!   under way: before its first request, and between requests (a slow
//!   request head counts as idle too);
//! - a response that is not made and sent within [`BUSY_TIMEOUT`] is
//!   abandoned (the client stopped reading);
//! - an event stream is neither: it lasts as long as its tab, with its own
//!   keepalives;
//! - at most [`Registry::cap`] connections are open, below the process's
//!   limit of open files (`RLIMIT_NOFILE`, leaving room for the files a
//!   rebuild reads); at the cap, the longest idle one is closed to make
//!   room for each new one, so a new request is answered at once. One
//!   line in the log says when the cap is reached.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

/// How long a connection may sit without a request under way.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a request may take from its head to the end of its response.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(60);
/// The most connections kept whatever the limit of open files: each may
/// hold a read buffer of up to [`super::http::HEAD_BUFFER`] bytes.
const MAX_CONNECTIONS: u64 = 1024;
/// Descriptors left for everything else (the files a rebuild reads, the
/// watcher, the runtime), at least this many and at least an eighth of
/// the limit.
const RESERVED_FDS: u64 = 64;
/// The fewest connections kept, however low the limit.
const MIN_CONNECTIONS: u64 = 16;

/// The most connections to keep open, and the limit of open files it was
/// derived from (`None`: unlimited, or unknown on this platform).
pub fn connection_cap() -> (usize, Option<u64>) {
    let limit = open_file_limit();
    let cap = match limit {
        Some(limit) => limit
            .saturating_sub(RESERVED_FDS.max(limit / 8))
            .clamp(MIN_CONNECTIONS, MAX_CONNECTIONS),
        None => MAX_CONNECTIONS,
    };
    (usize::try_from(cap).unwrap_or(usize::MAX), limit)
}

/// The soft limit of open files (the one that applies).
#[cfg(unix)]
fn open_file_limit() -> Option<u64> {
    rustix::process::getrlimit(rustix::process::Resource::Nofile).current
}

#[cfg(not(unix))]
fn open_file_limit() -> Option<u64> {
    None
}

/// What a connection is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// No request under way: waiting for one, or reading its head.
    Idle,
    /// A request is being answered.
    Busy,
    /// An event stream is open on it.
    Streaming,
}

/// One open connection, as its task and the registry see it.
pub struct Connection {
    /// The phase and when it began.
    phase: Mutex<(Phase, Instant)>,
    /// Told when the phase changes (the deadline moves).
    changed: Notify,
    /// Told to close (to make room for a new connection).
    close: Notify,
}

impl Connection {
    fn new() -> Connection {
        Connection {
            phase: Mutex::new((Phase::Idle, Instant::now())),
            changed: Notify::new(),
            close: Notify::new(),
        }
    }

    fn set(&self, phase: Phase) {
        if let Ok(mut current) = self.phase.lock() {
            *current = (phase, Instant::now());
        }
        self.changed.notify_one();
    }

    /// A request's head was read: it is being answered.
    pub fn request_started(&self) {
        self.set(Phase::Busy);
    }

    /// Its response is an event stream.
    pub fn streaming(&self) {
        self.set(Phase::Streaming);
    }

    /// Its response was sent (or given up): idle until the next request.
    pub fn response_done(&self) {
        self.set(Phase::Idle);
    }

    fn phase(&self) -> (Phase, Instant) {
        self.phase
            .lock()
            .map(|p| *p)
            .unwrap_or((Phase::Busy, Instant::now()))
    }

    /// When it is to be closed if nothing changes (`None`: never).
    fn deadline(&self) -> Option<Instant> {
        match self.phase() {
            (Phase::Idle, since) => Some(since + IDLE_TIMEOUT),
            (Phase::Busy, since) => Some(since + BUSY_TIMEOUT),
            (Phase::Streaming, _) => None,
        }
    }

    /// Serve `connection` (hyper's future for it) until it ends, times out
    /// (see [`IDLE_TIMEOUT`], [`BUSY_TIMEOUT`]), or is closed to make room.
    /// Returning drops it, which closes the socket.
    pub async fn drive(&self, connection: impl Future) {
        tokio::pin!(connection);
        loop {
            let deadline = self.deadline();
            let timeout = async {
                match deadline {
                    Some(deadline) => tokio::time::sleep_until(deadline).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = &mut connection => return,
                _ = self.close.notified() => return,
                _ = self.changed.notified() => {}
                _ = timeout => {
                    if self.deadline().is_some_and(|d| d <= Instant::now()) {
                        return;
                    }
                }
            }
        }
    }
}

/// The open connections.
pub struct Registry {
    cap: usize,
    /// The limit of open files the cap is under, for the log.
    file_limit: Option<u64>,
    inner: Mutex<Open>,
}

struct Open {
    next_id: u64,
    connections: HashMap<u64, Arc<Connection>>,
    /// The cap was reached and the log said so; said again only after the
    /// count fell to half the cap.
    said: bool,
}

impl Registry {
    pub fn new(cap: usize, file_limit: Option<u64>) -> Registry {
        Registry {
            cap,
            file_limit,
            inner: Mutex::new(Open {
                next_id: 0,
                connections: HashMap::new(),
                said: false,
            }),
        }
    }

    /// The most connections kept open.
    pub fn cap(&self) -> usize {
        self.cap
    }

    /// Take a new connection: its id (for [`Registry::remove`]) and
    /// state. At the cap, the longest idle connection is told to close
    /// first; `None` when none is idle (every one is answering a request or
    /// streaming events): then the new one is to be closed.
    pub fn admit(&self) -> Option<(u64, Arc<Connection>)> {
        let mut open = self.inner.lock().ok()?;
        if open.connections.len() >= self.cap {
            if !open.said {
                open.said = true;
                let limit = match self.file_limit {
                    Some(limit) => format!("under this process's limit of {limit} open files"),
                    None => "serve keeps".to_string(),
                };
                eprintln!(
                    "warning: {} connections open, the most {limit}; closing the longest idle ones to make room for new ones",
                    open.connections.len()
                );
            }
            let longest_idle = open
                .connections
                .iter()
                .filter_map(|(id, c)| match c.phase() {
                    (Phase::Idle, since) => Some((since, *id)),
                    _ => None,
                })
                .min()
                .map(|(_, id)| id);
            let closed = open.connections.remove(&longest_idle?)?;
            closed.close.notify_one();
        } else if open.said && open.connections.len() <= self.cap / 2 {
            open.said = false;
        }
        let id = open.next_id;
        open.next_id += 1;
        let connection = Arc::new(Connection::new());
        open.connections.insert(id, connection.clone());
        Some((id, connection))
    }

    /// A connection's task ended.
    pub fn remove(&self, id: u64) {
        if let Ok(mut open) = self.inner.lock() {
            open.connections.remove(&id);
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.inner.lock().unwrap().connections.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_leaves_room_below_the_file_limit() {
        let (cap, limit) = connection_cap();
        if let Some(limit) = limit {
            assert!((cap as u64) < limit || cap as u64 == MIN_CONNECTIONS);
        }
        assert!(cap as u64 <= MAX_CONNECTIONS);
    }

    #[tokio::test(start_paused = true)]
    async fn at_the_cap_the_longest_idle_connection_makes_room() {
        let registry = Registry::new(3, Some(100));
        let (_, oldest) = registry.admit().unwrap();
        tokio::time::advance(Duration::from_millis(10)).await;
        let (_, busy) = registry.admit().unwrap();
        busy.request_started();
        tokio::time::advance(Duration::from_millis(10)).await;
        let (_, stream) = registry.admit().unwrap();
        stream.streaming();
        // Full: the idle one goes, not the busy one or the stream.
        let (_, newest) = registry.admit().unwrap();
        assert_eq!(registry.len(), 3);
        let closed = tokio::time::timeout(Duration::from_millis(1), oldest.close.notified());
        assert!(closed.await.is_ok());
        // Full again, with the newest idle: it goes next.
        let (_, fourth) = registry.admit().unwrap();
        let closed = tokio::time::timeout(Duration::from_millis(1), newest.close.notified());
        assert!(closed.await.is_ok());
        // Once none is idle, a new one is refused.
        fourth.request_started();
        assert!(registry.admit().is_none());
        assert_eq!(registry.len(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn idle_connections_time_out_and_streams_do_not() {
        let connection = Connection::new();
        let started = Instant::now();
        connection.drive(std::future::pending::<()>()).await;
        assert_eq!(started.elapsed(), IDLE_TIMEOUT);

        // Streaming for longer than any timeout, then idle.
        let connection = Arc::new(Connection::new());
        connection.streaming();
        let driver = tokio::spawn({
            let connection = connection.clone();
            async move { connection.drive(std::future::pending::<()>()).await }
        });
        tokio::time::sleep(BUSY_TIMEOUT * 2).await;
        assert!(!driver.is_finished());
        connection.response_done();
        let ended = Instant::now();
        driver.await.unwrap();
        assert_eq!(ended.elapsed(), IDLE_TIMEOUT);

        // A request under way gets the longer timeout.
        let connection = Connection::new();
        connection.request_started();
        let started = Instant::now();
        connection.drive(std::future::pending::<()>()).await;
        assert_eq!(started.elapsed(), BUSY_TIMEOUT);
    }
}
