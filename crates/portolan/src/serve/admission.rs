//! What a request must be for serve to answer it (issue 17): small, for
//! this server by name, and without a body. Any web page open in the
//! user's browser can send requests to 127.0.0.1, so none of this may
//! depend on the client being polite.
//!
//! - **Size.** A request target over [`MAX_TARGET_BYTES`] is 414, header
//!   fields over [`MAX_HEADER_BYTES`] in all are 431. (hyper refuses, with
//!   an empty 431 of its own, a head that does not fit its read buffer of
//!   [`super::http::HEAD_BUFFER`] bytes or has more than 100 fields, and a
//!   malformed one with 400.)
//! - **Host.** A page on `evil.example` whose name is made to resolve to
//!   127.0.0.1 (DNS rebinding) is same-origin with whatever it loads from
//!   there, and could read the portal. Its requests carry
//!   `Host: evil.example`. Only local names (`localhost`, `*.localhost`)
//!   and IP addresses this server is reachable at (loopback, the bound
//!   address, any address when bound to all of them) are answered, with
//!   any port (a port forwarded to another, as by an SSH tunnel, keeps the
//!   name); any other name gets 421 Misdirected Request. An IP address is
//!   never a rebinding: the page's origin is then the address itself.
//! - **Methods and bodies.** Only GET and HEAD (405 otherwise), and no
//!   body (413): a body is never read, so a request costs no more memory
//!   than its head.

use std::net::IpAddr;

use hyper::body::{Body as _, Incoming};
use hyper::header::HOST;
use hyper::http::request::Parts;
use hyper::{Method, StatusCode};

/// The longest request target (path and query) answered: a search query
/// is at most [`portolan_search::MAX_QUERY_BYTES`], three times that
/// percent-encoded, and site paths are far shorter.
pub const MAX_TARGET_BYTES: usize = 8 * 1024;
/// The most bytes of header fields (names and values) answered.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

// The longest query, every byte percent-encoded, is a target serve takes;
// so are the limits themselves, within hyper's read buffer.
const _: () = assert!(
    MAX_TARGET_BYTES >= 3 * portolan_search::MAX_QUERY_BYTES + "/_search?q=&limit=100".len()
);
const _: () = assert!(MAX_TARGET_BYTES + MAX_HEADER_BYTES <= super::http::HEAD_BUFFER);

/// Why a request is not answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    TargetTooLong,
    HeadersTooLarge,
    NoHost,
    ForeignHost,
    Method,
    Body,
}

impl Refusal {
    pub fn status(self) -> StatusCode {
        match self {
            Refusal::TargetTooLong => StatusCode::URI_TOO_LONG,
            Refusal::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Refusal::NoHost => StatusCode::BAD_REQUEST,
            Refusal::ForeignHost => StatusCode::MISDIRECTED_REQUEST,
            Refusal::Method => StatusCode::METHOD_NOT_ALLOWED,
            Refusal::Body => StatusCode::PAYLOAD_TOO_LARGE,
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Refusal::TargetTooLong => "the request target is too long\n",
            Refusal::HeadersTooLarge => "the request's header fields are too large\n",
            Refusal::NoHost => "a request needs one Host header\n",
            Refusal::ForeignHost => {
                "portolan serve answers only requests for localhost or its own address\n"
            }
            Refusal::Method => "only GET and HEAD\n",
            Refusal::Body => "portolan serve takes no request body\n",
        }
    }
}

/// Whether to answer a request, given the address serve is bound to.
pub fn admit(request: &Parts, body: &Incoming, bound: IpAddr) -> Result<(), Refusal> {
    let target = request
        .uri
        .path_and_query()
        .map_or(0, |target| target.as_str().len());
    if target > MAX_TARGET_BYTES {
        return Err(Refusal::TargetTooLong);
    }
    let header_bytes: usize = request
        .headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if header_bytes > MAX_HEADER_BYTES {
        return Err(Refusal::HeadersTooLarge);
    }
    let mut hosts = request.headers.get_all(HOST).iter();
    let (Some(host), None) = (hosts.next(), hosts.next()) else {
        return Err(Refusal::NoHost);
    };
    let host = host.to_str().map_err(|_| Refusal::ForeignHost)?;
    // A target in absolute form names the host it is for (RFC 9112 §3.2.2).
    let authority = request.uri.authority().map(|a| a.as_str());
    if !allowed_host(host, bound) || authority.is_some_and(|a| !allowed_host(a, bound)) {
        return Err(Refusal::ForeignHost);
    }
    if !matches!(request.method, Method::GET | Method::HEAD) {
        return Err(Refusal::Method);
    }
    if !body.is_end_stream() {
        return Err(Refusal::Body);
    }
    Ok(())
}

/// Whether a `Host` value (`name`, `name:port`, `[v6]:port`) names this
/// server (see the module docs).
fn allowed_host(host: &str, bound: IpAddr) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        let Some((inside, after)) = rest.split_once(']') else {
            return false;
        };
        if !(after.is_empty() || after.strip_prefix(':').is_some_and(port_number)) {
            return false;
        }
        return inside
            .parse::<std::net::Ipv6Addr>()
            .is_ok_and(|ip| allowed_address(IpAddr::V6(ip), bound));
    } else {
        match host.split_once(':') {
            Some((name, port)) if port_number(port) => name,
            Some(_) => return false,
            None => host,
        }
    };
    if let Ok(ip) = name.parse::<std::net::Ipv4Addr>() {
        return allowed_address(IpAddr::V4(ip), bound);
    }
    let name = name.to_ascii_lowercase();
    let name = name.strip_suffix('.').unwrap_or(&name);
    let local = name == "localhost" || name.ends_with(".localhost");
    local
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

fn port_number(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_digit()) && text.parse::<u16>().is_ok()
}

fn allowed_address(ip: IpAddr, bound: IpAddr) -> bool {
    ip.is_loopback() || ip == bound || bound.is_unspecified()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOOPBACK: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[test]
    fn local_names_and_addresses_are_this_server() {
        for host in [
            "localhost",
            "localhost:8000",
            "LOCALHOST:1",
            "localhost.",
            "portal.localhost",
            "a-b.portal.localhost:65535",
            "127.0.0.1",
            "127.0.0.1:8000",
            "127.1.2.3:8000",
            "[::1]",
            "[::1]:8000",
        ] {
            assert!(allowed_host(host, LOOPBACK), "{host}");
        }
    }

    #[test]
    fn other_names_are_not() {
        for host in [
            "",
            "evil.example",
            "evil.example:8000",
            "localhost.evil.example",
            "127.0.0.1.evil.example",
            "localhost@evil.example",
            "evil.example@localhost",
            "evil_example.localhost",
            "localhost:",
            "localhost:80:80",
            "localhost:99999",
            "localhost:+80",
            "::1",
            "[::1",
            "[::1]x",
            "[evil.example]",
            "0x7f000001",
            "2130706433",
            "192.168.1.5:8000",
            "[fe80::1]:8000",
        ] {
            assert!(!allowed_host(host, LOOPBACK), "{host}");
        }
    }

    #[test]
    fn the_bound_address_is_this_server_and_all_of_them_when_bound_to_all() {
        let lan: IpAddr = "192.168.1.5".parse().unwrap();
        assert!(allowed_host("192.168.1.5:8000", lan));
        assert!(!allowed_host("192.168.1.6:8000", lan));
        assert!(allowed_host("localhost:8000", lan));
        let all: IpAddr = "0.0.0.0".parse().unwrap();
        assert!(allowed_host("192.168.1.6:8000", all));
        assert!(allowed_host("[fe80::1]:8000", all));
        // Names still are not.
        assert!(!allowed_host("mybox.example:8000", all));
    }
}
