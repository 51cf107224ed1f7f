//! The HTTP side of `portolan serve`: the server, and answering one
//! request from the site in memory: URL → site path (never outside the
//! map), content types, ETag/304, compression, the reload script, the
//! search endpoint and the event stream.
//!
//! The server is hyper (HTTP/1.1) on a tokio runtime with one I/O thread.
//! Each connection is a task of its own, so a connection that stays open
//! (a keep-alive connection between requests, an event stream for the
//! life of a tab) holds nothing that another connection needs. Responses
//! are made on the runtime's blocking pool ([`RESPONDERS`] threads), which
//! a request holds only while its response is being made. (serve used
//! tiny_http before, whose pool gave a connection a thread for as long as
//! the connection stayed open, and could queue a new connection behind
//! threads that were all held by idle keep-alive connections: of the five
//! or six connections a browser opens at once, one could wait for minutes.)
//!
//! Compression follows the client's `Accept-Encoding` with its q-values
//! (RFC 9110 §12.5.3): brotli when it takes `br` at least as willingly as
//! `gzip` (it makes HTML smaller than gzip does; browsers offer `br` only
//! over HTTPS and to localhost, which is where serve usually is), gzip
//! otherwise, the plain bytes when it takes neither.
//! Each encoding of a file is made on its first request and kept, and has
//! its own ETag, so a cache never answers one encoding with the other.
//!
//! What a request must be to be answered (size, `Host`, no body) is in
//! [`super::admission`]; how many connections are kept and for how long in
//! [`super::connections`]. Every response carries a Content-Security-Policy
//! ([`PAGE_POLICY`] on HTML, [`NO_SCRIPT_POLICY`] on anything else) and
//! `X-Content-Type-Options: nosniff`.

use std::collections::HashMap;
use std::convert::Infallible;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use hyper::body::{Bytes, Frame, Incoming, SizeHint};
use hyper::header::{
    ACCEPT_ENCODING, ALLOW, CACHE_CONTROL, CONNECTION, CONTENT_ENCODING, CONTENT_SECURITY_POLICY,
    CONTENT_TYPE, ETAG, HeaderMap, HeaderName, HeaderValue, IF_NONE_MATCH, LOCATION, VARY,
    X_CONTENT_TYPE_OPTIONS,
};
use hyper::http::request::Parts;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tokio::time::{Instant, Sleep};

use super::admission::{self, Refusal};
use super::connections::{Connection, Registry, connection_cap};
use super::{Site, State};

/// Where pages listen for `hello`, `reload` and `error`.
const EVENTS_PATH: &str = "/_portolan/events";
const RELOAD_JS: &str = include_str!("reload.js");
const OVERLAY_CSS: &str = include_str!("overlay.css");
/// Most open event streams (and at most half the connections); one more
/// gets 503.
const MAX_EVENT_STREAMS: usize = 64;
/// The most a connection buffers of a request head (hyper's read buffer):
/// room for the longest request target hyper takes (64 KiB) and the
/// header fields [`admission`] takes, so that those get their own status
/// (414, 431) rather than hyper's bare 431.
pub const HEAD_BUFFER: usize = 72 * 1024;
/// The policy of HTML pages: the one the default theme's pages carry in a
/// `<meta>` (`themes/default/templates/base.html`), where it cannot cover
/// what is not a page. The reload script and overlay are `'self'`.
pub const PAGE_POLICY: &str = portolan_site::theme_guard::PAGE_POLICY;
/// The policy of everything else. An SVG or XML file opened on its own is
/// a document that could run script (issue 17: an SVG's script read
/// `/catalog.json`): none runs, and the document is sandboxed (an opaque
/// origin, so it could read nothing even if it did). Its own styles and
/// images still show.
pub const NO_SCRIPT_POLICY: &str = "default-src 'none'; script-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'; sandbox";
/// A comment line this often keeps proxies and the browser from dropping
/// an idle stream, and notices clients that went away.
const KEEPALIVE: Duration = Duration::from_secs(15);
/// Threads that make responses (a file's compressed forms on its first
/// request, search queries) off the I/O thread. A request waits for one
/// only while as many other responses are being made.
const RESPONDERS: usize = 4;
/// How long responses under way get to finish when serve stops.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);
/// Responses smaller than this are not worth compressing.
const COMPRESS_MIN: usize = 512;
/// Brotli's quality (0–11) and window (log2 bytes). A dev server answers
/// every edit afresh, so speed over the last few percent: 5 is several
/// times faster than 11 and still smaller than gzip for HTML.
const BROTLI_QUALITY: i32 = 5;
const BROTLI_LGWIN: i32 = 22;

/// The HTTP server, answering from a [`State`] on a thread of its own
/// until dropped.
pub struct Server {
    address: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Listen on `address` (port 0: one the system picks) and answer from
    /// `state`.
    pub fn start(address: SocketAddr, state: Arc<State>) -> std::io::Result<Server> {
        // Bound on the caller's thread: a port in use is an error before
        // serve prints its URL.
        let listener = std::net::TcpListener::bind(address)?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .max_blocking_threads(RESPONDERS)
            .thread_name("portolan-respond")
            .build()?;
        let listener = {
            let _runtime = runtime.enter();
            TcpListener::from_std(listener)?
        };
        let (stop, stopped) = oneshot::channel();
        let (cap, file_limit) = connection_cap();
        let registry = Arc::new(Registry::new(cap, file_limit));
        let bound = address.ip();
        let thread = std::thread::Builder::new()
            .name("portolan-http".into())
            .spawn(move || {
                runtime.block_on(accept(listener, state, registry, bound, stopped));
                // Whatever is still running is dropped, connections closed.
                runtime.shutdown_timeout(SHUTDOWN_GRACE);
            })?;
        Ok(Server {
            address,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The address it listens on (with the port the system picked).
    pub fn address(&self) -> SocketAddr {
        self.address
    }
}

impl Drop for Server {
    /// Stop accepting, end the event streams, let responses under way
    /// finish (for up to [`SHUTDOWN_GRACE`]) and close every connection.
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Accept connections until told to stop, each served by a task of its
/// own (at most the registry's cap at once, see [`super::connections`]);
/// then close them. `bound`: the address listened on (see
/// [`admission`]).
async fn accept(
    listener: TcpListener,
    state: Arc<State>,
    registry: Arc<Registry>,
    bound: IpAddr,
    mut stop: oneshot::Receiver<()>,
) {
    let connections = GracefulShutdown::new();
    let mut http = http1::Builder::new();
    http.max_buf_size(HEAD_BUFFER);
    let max_streams = MAX_EVENT_STREAMS.min(registry.cap() / 2);
    loop {
        let stream = tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    // A connection that failed before it was accepted, or
                    // no file descriptors left: that connection is lost,
                    // the server goes on (after a breath, not in a spin).
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Some((id, tracked)) = registry.admit() else {
            // At the cap with every connection answering a request or
            // streaming events: this one is closed unanswered.
            continue;
        };
        // A connection just told to close for room lets go of its
        // descriptor before another is accepted.
        tokio::task::yield_now().await;
        // Events are small writes that must go out at once.
        let _ = stream.set_nodelay(true);
        let state = state.clone();
        let connection = tracked.clone();
        let service = service_fn(move |request| {
            answer(
                state.clone(),
                connection.clone(),
                bound,
                max_streams,
                request,
            )
        });
        let connection = connections.watch(http.serve_connection(TokioIo::new(stream), service));
        let registry = registry.clone();
        tokio::spawn(async move {
            // A client that hung up is not an error worth reporting.
            tracked.drive(connection).await;
            registry.remove(id);
        });
    }
    drop(listener);
    // Event streams never end by themselves: end them, so that their
    // connections can close.
    state.events.close();
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, connections.shutdown()).await;
}

/// One request on `connection`: refused unless [`admission`] admits it;
/// an event stream is answered here (it only registers a channel);
/// anything else is made on the blocking pool, since it may compress or
/// search.
async fn answer(
    state: Arc<State>,
    connection: Arc<Connection>,
    bound: IpAddr,
    max_streams: usize,
    request: Request<Incoming>,
) -> Result<Response<Tracked>, Infallible> {
    connection.request_started();
    let (request, body) = request.into_parts();
    if let Err(refusal) = admission::admit(&request, &body, bound) {
        return Ok(track(refused(refusal), connection));
    }
    // A request's body is never read (there is none).
    drop(body);
    if request.uri.path() == EVENTS_PATH {
        let response = event_stream(&state, max_streams);
        if matches!(response.body(), Body::Events(_)) {
            connection.streaming();
        }
        return Ok(track(response, connection));
    }
    let made = tokio::task::spawn_blocking(move || respond(&state, &request)).await;
    // A panic (already printed by the panic hook) answers 500; the server
    // goes on.
    let response =
        made.unwrap_or_else(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, "internal error\n"));
    Ok(track(response, connection))
}

/// The response to a request [`admission`] refused. The connection closes
/// after it: a body the request may have had is never read.
fn refused(refusal: Refusal) -> Response<Body> {
    let mut response = plain(refusal.status(), refusal.message());
    if refusal == Refusal::Method {
        insert(&mut response, ALLOW, "GET, HEAD");
    }
    insert(&mut response, CONNECTION, "close");
    response
}

/// A response whose connection is told when it is done.
fn track(response: Response<Body>, connection: Arc<Connection>) -> Response<Tracked> {
    response.map(|body| Tracked { body, connection })
}

/// A response body that tells its connection when the response is done
/// (dropped: sent in full, or given up), so that the connection counts as
/// idle from then on.
pub struct Tracked {
    body: Body,
    connection: Arc<Connection>,
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.connection.response_done();
    }
}

impl hyper::body::Body for Tracked {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// A response body: bytes known in full, or an event stream.
pub enum Body {
    Full(Option<Bytes>),
    Events(EventBody),
}

impl From<Bytes> for Body {
    fn from(bytes: Bytes) -> Body {
        Body::Full(Some(bytes))
    }
}

impl hyper::body::Body for Body {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let data = match self.get_mut() {
            Body::Full(bytes) => Poll::Ready(bytes.take()),
            Body::Events(events) => events.poll_next(cx),
        };
        data.map(|data| data.map(|bytes| Ok(Frame::data(bytes))))
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, Body::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Body::Full(bytes) => SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64)),
            Body::Events(_) => SizeHint::default(),
        }
    }
}

/// An open `/_portolan/events` stream: `retry:`, then each event as it is
/// sent, and a comment line after [`KEEPALIVE`] without one.
pub struct EventBody {
    first: Option<Bytes>,
    events: mpsc::Receiver<Bytes>,
    keepalive: Pin<Box<Sleep>>,
}

impl EventBody {
    /// Needs the runtime (for the keepalive timer).
    fn new(events: mpsc::Receiver<Bytes>) -> EventBody {
        EventBody {
            first: Some(Bytes::from_static(b"retry: 1000\n\n")),
            events,
            keepalive: Box::pin(tokio::time::sleep(KEEPALIVE)),
        }
    }

    fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        if let Some(first) = self.first.take() {
            return Poll::Ready(Some(first));
        }
        let next = match self.events.poll_recv(cx) {
            // Ended: dropped as too slow (the browser reconnects and is
            // greeted with the current state), or serve is stopping.
            Poll::Ready(None) => return Poll::Ready(None),
            Poll::Ready(Some(frame)) => frame,
            Poll::Pending => {
                ready!(self.keepalive.as_mut().poll(cx));
                Bytes::from_static(b": keepalive\n\n")
            }
        };
        self.keepalive.as_mut().reset(Instant::now() + KEEPALIVE);
        Poll::Ready(Some(next))
    }
}

/// A file ready to send: body (with the reload script for HTML), its
/// ETag, and its compressed forms, each made on its first request.
pub struct Prepared {
    body: Bytes,
    content_type: &'static str,
    etag: String,
    brotli: OnceLock<Option<Encoded>>,
    gzip: OnceLock<Option<Encoded>>,
}

/// One compressed form of a [`Prepared`] body and its own ETag.
struct Encoded {
    bytes: Bytes,
    etag: String,
}

/// The content codings serve can send, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Encoding {
    Brotli,
    Gzip,
}

impl Encoding {
    const ALL: [Encoding; 2] = [Encoding::Brotli, Encoding::Gzip];

    /// The `Content-Encoding` token.
    fn token(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gzip",
        }
    }

    /// Whether an `Accept-Encoding` coding names this one (`x-gzip` is
    /// gzip, RFC 9110 §8.4.1.3).
    fn named_by(self, coding: &str) -> bool {
        match self {
            Encoding::Brotli => coding.eq_ignore_ascii_case("br"),
            Encoding::Gzip => {
                coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip")
            }
        }
    }

    /// Added inside the quotes of the plain ETag.
    fn etag_suffix(self) -> &'static str {
        match self {
            Encoding::Brotli => "-br",
            Encoding::Gzip => "-gz",
        }
    }

    fn compress(self, body: &[u8]) -> std::io::Result<Vec<u8>> {
        match self {
            Encoding::Brotli => {
                let params = brotli::enc::BrotliEncoderParams {
                    quality: BROTLI_QUALITY,
                    lgwin: BROTLI_LGWIN,
                    size_hint: body.len(),
                    ..Default::default()
                };
                let mut out = Vec::with_capacity(body.len() / 4);
                brotli::enc::BrotliCompress(&mut &body[..], &mut out, &params)?;
                Ok(out)
            }
            Encoding::Gzip => {
                let mut encoder =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                encoder.write_all(body)?;
                encoder.finish()
            }
        }
    }
}

impl Prepared {
    /// The body in `encoding`, compressed on first use and kept; `None`
    /// if compressing failed (the plain body is sent instead).
    fn encoded(&self, encoding: Encoding) -> Option<&Encoded> {
        let cell = match encoding {
            Encoding::Brotli => &self.brotli,
            Encoding::Gzip => &self.gzip,
        };
        cell.get_or_init(|| {
            let bytes = encoding.compress(&self.body).ok()?.into();
            // A variant is a different representation: its own ETag.
            let etag = format!(
                "{}{}\"",
                self.etag.trim_end_matches('"'),
                encoding.etag_suffix()
            );
            Some(Encoded { bytes, etag })
        })
        .as_ref()
    }
}

/// Per-site cache of [`Prepared`] files: a new site starts empty, so a
/// rebuild costs nothing here.
#[derive(Default)]
pub struct PreparedCache {
    files: Mutex<HashMap<String, Arc<Prepared>>>,
}

impl PreparedCache {
    fn get(&self, site: &Site, key: &str) -> Option<Arc<Prepared>> {
        if let Some(found) = self.files.lock().ok()?.get(key) {
            return Some(found.clone());
        }
        let bytes = site.output.files.get(key)?;
        let content_type = content_type(key);
        let prepared = Arc::new(prepare(bytes, content_type, &site.build));
        if let Ok(mut files) = self.files.lock() {
            files.insert(key.to_string(), prepared.clone());
        }
        Some(prepared)
    }
}

/// `build`: the build the file is from, written into the reload script's
/// tag of an HTML page.
fn prepare(bytes: &[u8], content_type: &'static str, build: &str) -> Prepared {
    let body = if content_type.starts_with("text/html") {
        inject_reload(bytes, build)
    } else {
        bytes.to_vec()
    };
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    body.hash(&mut hasher);
    Prepared {
        etag: format!("\"{:016x}-{}\"", hasher.finish(), body.len()),
        body: body.into(),
        content_type,
        brotli: OnceLock::new(),
        gzip: OnceLock::new(),
    }
}

/// What serve adds to every HTML page it serves (and only there: `build`
/// never writes it): the reload script, told which build the page is from
/// (`build`, as the `hello` and `reload` events name it: digits and a
/// dash, nothing to escape), so that a page that missed a rebuild before
/// its event stream connected reloads.
pub fn reload_tag(build: &str) -> String {
    format!(r#"<script src="/_portolan/reload.js" data-build="{build}"></script>"#)
}

/// The reload script's tag before the last `</body>` (at the end when
/// there is none).
pub fn inject_reload(html: &[u8], build: &str) -> Vec<u8> {
    let lower = html.to_ascii_lowercase();
    let at = lower
        .windows(7)
        .rposition(|w| w == b"</body>")
        .unwrap_or(html.len());
    let tag = reload_tag(build);
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

pub fn content_type(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "yaml" | "yml" => "application/yaml; charset=utf-8",
        "txt" | "md" | "graphql" | "proto" => "text/plain; charset=utf-8",
        "xml" => "application/xml",
        "atom" => "application/atom+xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "wasm" => "application/wasm",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

fn compressible(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || content_type.starts_with("application/json")
        || content_type.starts_with("application/yaml")
        || content_type.starts_with("application/xml")
        || content_type.starts_with("application/atom+xml")
        || content_type.starts_with("image/svg")
}

/// Why a URL does not name a site path.
#[derive(Debug, PartialEq, Eq)]
pub enum Rejected {
    /// Malformed: bad percent-encoding, not UTF-8, control characters,
    /// backslashes, `..`, not starting with `/`.
    BadPath,
}

/// `%XX` → byte; a `%` not followed by two hex digits is malformed.
fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// The URL path (no query) as a key of the site map, and whether it ended
/// in `/`. Decoded once (a `%2e` that decodes to `.` is a `.`; `%252e` is
/// the three characters `%2e`), then split on `/`: empty and `.` segments
/// drop, `..` is refused outright rather than resolved, as are
/// backslashes, NUL and other control characters. What is left can only
/// be a plain relative key, and it is only ever looked up in the map.
pub fn site_key(path: &str) -> Result<(String, bool), Rejected> {
    let decoded = percent_decode(path).ok_or(Rejected::BadPath)?;
    let decoded = String::from_utf8(decoded).map_err(|_| Rejected::BadPath)?;
    if !decoded.starts_with('/') || decoded.chars().any(|c| c == '\\' || c.is_control()) {
        return Err(Rejected::BadPath);
    }
    let mut segments = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return Err(Rejected::BadPath),
            segment => segments.push(segment),
        }
    }
    Ok((segments.join("/"), decoded.ends_with('/')))
}

/// A site key as an absolute URL path, every byte outside the unreserved
/// set and `/` percent-encoded (so a redirect can never leave the host).
fn url_path(key: &str) -> String {
    let mut out = String::from("/");
    for b in key.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `a=1&b=x+y` → pairs, `+` as space, percent-decoded.
fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |s: &str| {
                percent_decode(&s.replace('+', " "))
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default()
            };
            (decode(k), decode(v))
        })
        .collect()
}

/// A request header's value as text (`None` when absent or not visible
/// ASCII).
fn request_header(headers: &HeaderMap, name: HeaderName) -> Option<&str> {
    headers.get(name)?.to_str().ok()
}

/// A q-value (RFC 9110 §12.4.2: `0`–`1`, at most three decimals) in
/// thousandths; `None` when malformed.
fn parse_qvalue(text: &str) -> Option<u16> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = match whole {
        "0" => format!("{fraction:0<3}").parse().ok()?,
        "1" if fraction.bytes().all(|b| b == b'0') => 1000,
        _ => return None,
    };
    Some(thousandths)
}

/// The encodings an `Accept-Encoding` value takes, most wanted first; on
/// a tie, in [`Encoding::ALL`] order (brotli before gzip). A coding named
/// outright counts over `*`; `q=0` refuses; an item with a malformed
/// q-value is skipped; a coding neither named nor covered by `*` is not
/// acceptable (RFC 9110 §12.5.3).
fn negotiate(accept_encoding: &str) -> Vec<Encoding> {
    let mut named: [Option<u16>; Encoding::ALL.len()] = [None; Encoding::ALL.len()];
    let mut any: Option<u16> = None;
    for item in accept_encoding.split(',') {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or("").trim();
        if coding.is_empty() {
            continue;
        }
        let mut q = Some(1000);
        for param in parts {
            if let Some((name, value)) = param.split_once('=')
                && name.trim().eq_ignore_ascii_case("q")
            {
                q = parse_qvalue(value.trim());
            }
        }
        let Some(q) = q else { continue };
        if coding == "*" {
            any = Some(any.map_or(q, |seen| seen.max(q)));
        }
        for (slot, encoding) in named.iter_mut().zip(Encoding::ALL) {
            if encoding.named_by(coding) {
                *slot = Some(slot.map_or(q, |seen| seen.max(q)));
            }
        }
    }
    let mut taken: Vec<(Encoding, u16)> = Encoding::ALL
        .into_iter()
        .zip(named)
        .filter_map(|(encoding, q)| Some((encoding, q.or(any)?)))
        .filter(|&(_, q)| q > 0)
        .collect();
    // Stable: equal q-values keep brotli first.
    taken.sort_by_key(|&(_, q)| std::cmp::Reverse(q));
    taken.into_iter().map(|(encoding, _)| encoding).collect()
}

fn matches_etag(headers: &HeaderMap, etag: &str) -> bool {
    request_header(headers, IF_NONE_MATCH).is_some_and(|value| {
        value
            .split(',')
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == etag || t == "*")
    })
}

/// A response with what every response of serve carries: the policy is
/// [`NO_SCRIPT_POLICY`] until an HTML body makes it [`PAGE_POLICY`] (see
/// [`send_prepared`]).
fn response(status: StatusCode, body: impl Into<Body>) -> Response<Body> {
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(NO_SCRIPT_POLICY),
    );
    response
}

/// Sets a header. The values serve sends are its own (types, ETags,
/// percent-encoded paths) and valid; one that was not would be left out,
/// not fail the request.
fn insert(response: &mut Response<Body>, name: HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, value);
    }
}

fn plain(status: StatusCode, text: &'static str) -> Response<Body> {
    let mut response = response(status, Bytes::from_static(text.as_bytes()));
    insert(&mut response, CONTENT_TYPE, "text/plain; charset=utf-8");
    response
}

/// A prepared file: 304 when the client has it, compressed the way it
/// likes best among those it takes.
fn send_prepared(headers: &HeaderMap, status: StatusCode, file: &Prepared) -> Response<Body> {
    let compressed = if compressible(file.content_type) && file.body.len() >= COMPRESS_MIN {
        let accepted = request_header(headers, ACCEPT_ENCODING).map_or_else(Vec::new, negotiate);
        accepted
            .into_iter()
            .find_map(|encoding| Some((encoding, file.encoded(encoding)?)))
    } else {
        None
    };
    let (body, etag) = match compressed {
        Some((_, encoded)) => (&encoded.bytes, &encoded.etag),
        None => (&file.body, &file.etag),
    };
    let mut response = if status == StatusCode::OK && matches_etag(headers, etag) {
        response(StatusCode::NOT_MODIFIED, Body::Full(None))
    } else {
        let mut response = response(status, body.clone());
        insert(&mut response, CONTENT_TYPE, file.content_type);
        if let Some((encoding, _)) = compressed {
            insert(&mut response, CONTENT_ENCODING, encoding.token());
        }
        response
    };
    insert(&mut response, ETAG, etag);
    insert(&mut response, VARY, "Accept-Encoding");
    if file.content_type.starts_with("text/html") {
        // Also on a 304: the cached page is shown under it.
        response.headers_mut().insert(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PAGE_POLICY),
        );
    }
    response
}

/// Shown while no build has succeeded yet: the reload script shows the
/// findings and reloads once the catalog builds.
const NO_SITE_YET: &str = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>portolan serve</title></head>\n<body><h1>The catalog does not build yet</h1><p>The findings are in the terminal (and below). This page reloads when they are fixed.</p></body></html>\n";

/// The response to one request [`admission`] admitted, but for an event
/// stream (see [`answer`]).
fn respond(state: &State, request: &Parts) -> Response<Body> {
    let headers = &request.headers;
    // The fragment, if a client sent one, is already gone.
    let path = request.uri.path();
    let query = request.uri.query().unwrap_or("");
    match path {
        "/_portolan/reload.js" => {
            let file = prepare(RELOAD_JS.as_bytes(), content_type("reload.js"), "");
            return send_prepared(headers, StatusCode::OK, &file);
        }
        "/_portolan/overlay.css" => {
            let file = prepare(OVERLAY_CSS.as_bytes(), content_type("overlay.css"), "");
            return send_prepared(headers, StatusCode::OK, &file);
        }
        "/_search" => return search(state, query),
        _ => {}
    }
    let Some(site) = state.current() else {
        // No build yet: the page is from build "" (what `hello` says until
        // the first build), and reloads when there is one.
        let file = prepare(NO_SITE_YET.as_bytes(), content_type("index.html"), "");
        return send_prepared(headers, StatusCode::SERVICE_UNAVAILABLE, &file);
    };
    let (key, trailing_slash) = match site_key(path) {
        Ok(found) => found,
        Err(Rejected::BadPath) => return plain(StatusCode::BAD_REQUEST, "bad request path\n"),
    };
    let index = if key.is_empty() {
        "index.html".to_string()
    } else {
        format!("{key}/index.html")
    };
    if !key.is_empty()
        && let Some(file) = site.prepared.get(&site, &key)
    {
        return send_prepared(headers, StatusCode::OK, &file);
    }
    if site.output.files.contains_key(&index) {
        if !key.is_empty() && !trailing_slash {
            // Relative links in the page resolve against the directory.
            let mut location = url_path(&key);
            location.push('/');
            if !query.is_empty() {
                location.push('?');
                // As sent, but for UTF-8, which a header cannot hold.
                for b in query.bytes() {
                    if b.is_ascii_graphic() {
                        location.push(b as char);
                    } else {
                        location.push_str(&format!("%{b:02X}"));
                    }
                }
            }
            let mut response = plain(StatusCode::MOVED_PERMANENTLY, "moved\n");
            insert(&mut response, LOCATION, &location);
            return response;
        }
        if let Some(file) = site.prepared.get(&site, &index) {
            return send_prepared(headers, StatusCode::OK, &file);
        }
    }
    match site.prepared.get(&site, "404.html") {
        Some(file) => send_prepared(headers, StatusCode::NOT_FOUND, &file),
        None => plain(StatusCode::NOT_FOUND, "not found\n"),
    }
}

/// `GET /_search?q=…&limit=N`: the hits as JSON, best first.
fn search(state: &State, query: &str) -> Response<Body> {
    let pairs = query_pairs(query);
    let q = pairs
        .iter()
        .find(|(k, _)| k == "q")
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default();
    let limit = pairs
        .iter()
        .find(|(k, _)| k == "limit")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(10)
        .clamp(1, 100);
    let json = |status: StatusCode, value: serde_json::Value| {
        let body = Bytes::from(serde_json::to_vec(&value).unwrap_or_default());
        let mut response = response(status, body);
        insert(&mut response, CONTENT_TYPE, "application/json");
        response
    };
    if q.is_empty() {
        let body = serde_json::json!({ "error": "give a query: /_search?q=words" });
        return json(StatusCode::BAD_REQUEST, body);
    }
    let Some(index) = state.current().and_then(|site| site.search.clone()) else {
        let body = serde_json::json!({ "error": "no search index (the catalog has not built)" });
        return json(StatusCode::SERVICE_UNAVAILABLE, body);
    };
    match index.search(&q, limit) {
        Ok(hits) => json(StatusCode::OK, serde_json::json!(hits)),
        Err(err) => json(
            StatusCode::BAD_REQUEST,
            serde_json::json!({ "error": err.to_string() }),
        ),
    }
}

/// `GET /_portolan/events`: a Server-Sent Events stream, open as long as
/// the tab; each event is written as it is sent. At most `max` at once.
fn event_stream(state: &State, max: usize) -> Response<Body> {
    let Some(events) = state.events.subscribe(max) else {
        return plain(StatusCode::SERVICE_UNAVAILABLE, "too many event streams\n");
    };
    let mut response = response(StatusCode::OK, Body::Events(EventBody::new(events)));
    insert(&mut response, CONTENT_TYPE, "text/event-stream");
    response
}

/// One SSE event: `data:` lines cannot hold a newline, so each line of
/// the text gets its own (the browser joins them with `\n`).
pub fn event_frame(name: &str, data: &str) -> String {
    let mut frame = format!("event: {name}\n");
    for line in data.lines() {
        frame.push_str("data: ");
        frame.push_str(line);
        frame.push('\n');
    }
    if data.is_empty() {
        frame.push_str("data: \n");
    }
    frame.push('\n');
    frame
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_get_the_policy_the_theme_gives_them_in_a_meta() {
        let base = include_str!("../../../../themes/default/templates/base.html");
        let meta =
            format!(r#"<meta http-equiv="Content-Security-Policy" content="{PAGE_POLICY}">"#);
        assert!(base.contains(&meta), "{base}");
    }

    #[test]
    fn site_keys_never_climb_out() {
        assert_eq!(site_key("/"), Ok((String::new(), true)));
        assert_eq!(site_key("/a//b/./c"), Ok(("a/b/c".into(), false)));
        assert_eq!(site_key("/a%20b/"), Ok(("a b".into(), true)));
        // Decoded once: `%252e` stays the literal `%2e`.
        assert_eq!(site_key("/%252e%252e/x"), Ok(("%2e%2e/x".into(), false)));
        for bad in [
            "/../Cargo.toml",
            "/%2e%2e/",
            "/%2E%2E%2fetc",
            "/..%2f..%2f",
            "/catalog/..\\..\\x",
            "/a%5c..%5cb",
            "/a%00b",
            "/%zz",
            "/%ff",
            "relative",
            "/a/\t",
        ] {
            assert_eq!(site_key(bad), Err(Rejected::BadPath), "{bad}");
        }
    }

    #[test]
    fn redirects_stay_on_the_host() {
        // `//evil.example` as a Location would be another host.
        assert_eq!(url_path("evil.example"), "/evil.example");
        assert_eq!(url_path("a b/c?d"), "/a%20b/c%3Fd");
    }

    #[test]
    fn the_reload_script_goes_before_the_last_body_end() {
        let html = b"<html><body><p>x</p></BODY></html>";
        let out = String::from_utf8(inject_reload(html, "17-2")).unwrap();
        assert_eq!(
            out,
            r#"<html><body><p>x</p><script src="/_portolan/reload.js" data-build="17-2"></script></BODY></html>"#
        );
        let out = String::from_utf8(inject_reload(b"<p>no body end</p>", "17-2")).unwrap();
        assert!(out.ends_with(&reload_tag("17-2")));
    }

    #[test]
    fn accept_encoding_is_read_with_its_q_values() {
        use Encoding::{Brotli, Gzip};
        assert_eq!(negotiate("gzip, deflate, br, zstd"), [Brotli, Gzip]);
        assert_eq!(negotiate("br"), [Brotli]);
        assert_eq!(negotiate("gzip"), [Gzip]);
        assert_eq!(negotiate("x-gzip"), [Gzip]);
        assert_eq!(negotiate("gzip, br;q=0"), [Gzip]);
        assert_eq!(negotiate("gzip, BR;Q=0.000"), [Gzip]);
        assert_eq!(negotiate("br;q=0.5, gzip"), [Gzip, Brotli]);
        assert_eq!(negotiate("br;q=0.8, gzip;q=0.8"), [Brotli, Gzip]);
        assert_eq!(negotiate("br, gzip;q=0.8"), [Brotli, Gzip]);
        // `*` covers what is not named; a named coding counts over it.
        assert_eq!(negotiate("*"), [Brotli, Gzip]);
        assert_eq!(negotiate("*;q=0.5, gzip"), [Gzip, Brotli]);
        assert_eq!(negotiate("br;q=0, *"), [Gzip]);
        assert_eq!(negotiate("*;q=0, gzip"), [Gzip]);
        assert!(negotiate("identity").is_empty());
        assert!(negotiate("").is_empty());
        // A malformed q-value does not count as taking the coding.
        assert_eq!(negotiate("br;q=2, gzip;q=0.5"), [Gzip]);
        assert!(negotiate("br;q=0.1234").is_empty());
        assert_eq!(negotiate("br;q=, gzip;q=1.0"), [Gzip]);
    }

    #[test]
    fn q_values_are_thousandths() {
        assert_eq!(parse_qvalue("1"), Some(1000));
        assert_eq!(parse_qvalue("1.000"), Some(1000));
        assert_eq!(parse_qvalue("0.5"), Some(500));
        assert_eq!(parse_qvalue("0.05"), Some(50));
        assert_eq!(parse_qvalue("0"), Some(0));
        assert_eq!(parse_qvalue("1.5"), None);
        assert_eq!(parse_qvalue("-0"), None);
        assert_eq!(parse_qvalue(".5"), None);
    }

    #[test]
    fn each_encoding_is_made_once_and_has_its_own_etag() {
        let body = "<p>portolan</p>\n".repeat(100);
        let file = prepare(body.as_bytes(), content_type("index.html"), "1-1");
        let br = file.encoded(Encoding::Brotli).unwrap();
        let gz = file.encoded(Encoding::Gzip).unwrap();
        assert!(std::ptr::eq(br, file.encoded(Encoding::Brotli).unwrap()));
        let plain = file.etag.trim_end_matches('"');
        assert_eq!(br.etag, format!("{plain}-br\""));
        assert_eq!(gz.etag, format!("{plain}-gz\""));
        let mut decoded = Vec::new();
        brotli::BrotliDecompress(&mut &br.bytes[..], &mut decoded).unwrap();
        assert_eq!(decoded, file.body);
        assert!(br.bytes.len() < file.body.len());
    }

    #[test]
    fn event_data_lines_each_get_a_prefix() {
        assert_eq!(
            event_frame("error", "a\nb"),
            "event: error\ndata: a\ndata: b\n\n"
        );
    }
}
