//! The preview's HTTP server: just enough HTTP/1.1 for a browser to read a
//! site from memory, with every resource bounded so that no client —
//! hundreds of idle connections, a header of gigabytes, a slow trickle —
//! can stop it answering the coordinator.
//!
//! - At most [`MAX_CONNECTIONS`] connections are open at once, each on its
//!   own small thread. A new one over the cap closes the oldest that has
//!   not yet sent its request (so connections left idle give way to the
//!   coordinator's browser); only when every one is being answered is the
//!   new one told `503` and closed. The listener never backs up.
//! - The request line and headers must arrive within [`HEAD_TIMEOUT`] and
//!   fit in [`MAX_HEAD`] bytes (else `408` or `431`); a body is never read.
//! - Only `GET` and `HEAD` (`405`); one request a connection (`Connection:
//!   close`), so no connection outlives its answer.
//!
//! What to answer is the caller's: [`serve`] hands each request's method,
//! target and `Host` to a handler and writes back its [`Reply`].

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Requests read at once; more connections are answered `503`.
pub(crate) const MAX_CONNECTIONS: usize = 64;
/// The request line and headers together, at most.
pub(crate) const MAX_HEAD: usize = 16 * 1024;
/// How long a client has to send its request line and headers.
pub(crate) const HEAD_TIMEOUT: Duration = Duration::from_secs(5);
/// How long writing an answer may take.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// A request, as far as the preview needs it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Request {
    /// `GET` or `HEAD`.
    pub(crate) method: String,
    /// The target: `/courses/a.html?x`.
    pub(crate) target: String,
    /// The `Host` header, when sent.
    pub(crate) host: Option<String>,
}

/// An answer.
#[derive(Debug)]
pub(crate) struct Reply {
    /// The status code.
    pub(crate) status: u16,
    /// The `Content-Type`.
    pub(crate) kind: &'static str,
    /// The body.
    pub(crate) body: Vec<u8>,
}

impl Reply {
    /// A plain-text answer.
    pub(crate) fn text(status: u16, body: &str) -> Reply {
        Reply {
            status,
            kind: "text/plain; charset=utf-8",
            body: body.as_bytes().to_vec(),
        }
    }
}

/// The open connections, oldest first: each one's number, a handle to
/// close it with, and whether it is still reading its request.
#[derive(Default)]
struct Open {
    next: u64,
    list: VecDeque<(u64, TcpStream, bool)>,
}

impl Open {
    /// Make room for one more: close the oldest still reading, if the cap
    /// is reached. `false` when every open connection is being answered.
    fn make_room(&mut self) -> bool {
        if self.list.len() < MAX_CONNECTIONS {
            return true;
        }
        match self.list.iter().position(|(_, _, reading)| *reading) {
            Some(at) => {
                if let Some((_, stream, _)) = self.list.remove(at) {
                    // Its thread's read returns at once, and it ends.
                    let _ = stream.shutdown(std::net::Shutdown::Both);
                }
                true
            }
            None => false,
        }
    }

    fn add(&mut self, stream: &TcpStream) -> Option<u64> {
        let handle = stream.try_clone().ok()?;
        self.next += 1;
        self.list.push_back((self.next, handle, true));
        Some(self.next)
    }

    fn answering(&mut self, id: u64) {
        if let Some(entry) = self.list.iter_mut().find(|(n, _, _)| *n == id) {
            entry.2 = false;
        }
    }

    fn remove(&mut self, id: u64) {
        self.list.retain(|(n, _, _)| *n != id);
    }
}

/// Answer connections on `listener` with `handle`, until the listener
/// fails for good.
pub(crate) fn serve(
    listener: TcpListener,
    handle: impl Fn(&Request) -> Reply + Send + Sync + 'static,
) -> io::Result<()> {
    let handle = Arc::new(handle);
    let open = Arc::new(Mutex::new(Open::default()));
    loop {
        let mut stream = match listener.accept() {
            Ok((stream, _)) => stream,
            // Out of file descriptors, or a connection reset before it was
            // taken: wait a moment and go on, never stop serving.
            Err(_) => {
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
        };
        let id = {
            let mut o = open.lock().unwrap_or_else(PoisonError::into_inner);
            if o.make_room() { o.add(&stream) } else { None }
        };
        let Some(id) = id else {
            let _ = stream.set_write_timeout(Some(Duration::from_millis(200)));
            let _ = write_reply(
                &mut stream,
                &Reply::text(503, "503 Service Unavailable: too many connections\n"),
                false,
            );
            continue;
        };
        let (handle, mine) = (Arc::clone(&handle), Arc::clone(&open));
        let spawned = std::thread::Builder::new()
            .name("tip-serve".into())
            .stack_size(256 * 1024)
            .spawn(move || {
                let _ = answer(stream, &*handle, || {
                    mine.lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .answering(id);
                });
                mine.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .remove(id);
            });
        if spawned.is_err() {
            open.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(id);
        }
    }
}

/// Read one request from `stream` and write its answer.
fn answer(
    mut stream: TcpStream,
    handle: &dyn Fn(&Request) -> Reply,
    read: impl FnOnce(),
) -> io::Result<()> {
    stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
    let head = read_head(&mut stream, Instant::now() + HEAD_TIMEOUT);
    // Read: from now on it is answered, not closed to make room.
    read();
    let reply = match head {
        Ok(request) if request.method == "GET" || request.method == "HEAD" => {
            let reply = handle(&request);
            return write_reply(&mut stream, &reply, request.method == "HEAD");
        }
        Ok(_) => Reply::text(405, "405 Method Not Allowed: the preview only reads\n"),
        Err(Refused::TooLarge) => Reply::text(431, "431 Request Header Fields Too Large\n"),
        Err(Refused::TooSlow) => Reply::text(408, "408 Request Timeout\n"),
        Err(Refused::Malformed) => Reply::text(400, "400 Bad Request\n"),
        Err(Refused::Gone) => return Ok(()),
    };
    write_reply(&mut stream, &reply, false)
}

/// Why a request was not read.
#[derive(Debug, PartialEq, Eq)]
enum Refused {
    TooLarge,
    TooSlow,
    Malformed,
    Gone,
}

/// The request line and headers, read within `deadline` and [`MAX_HEAD`].
fn read_head(stream: &mut TcpStream, deadline: Instant) -> Result<Request, Refused> {
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    loop {
        let left = deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
            .ok_or(Refused::TooSlow)?;
        stream
            .set_read_timeout(Some(left))
            .map_err(|_| Refused::Gone)?;
        let n = match stream.read(&mut chunk) {
            Ok(0) => return Err(Refused::Gone),
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Err(Refused::TooSlow);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return Err(Refused::Gone),
        };
        // Look for the blank line only where it can have just arrived.
        let from = head.len().saturating_sub(3);
        head.extend_from_slice(&chunk[..n]);
        if let Some(end) = find_blank_line(&head[from..]).map(|e| from + e) {
            return parse_head(&head[..end]);
        }
        if head.len() >= MAX_HEAD {
            return Err(Refused::TooLarge);
        }
    }
}

fn find_blank_line(bytes: &[u8]) -> Option<usize> {
    bytes.windows(4).position(|w| w == b"\r\n\r\n")
}

/// The method, target and `Host` of a request's head.
fn parse_head(head: &[u8]) -> Result<Request, Refused> {
    let text = std::str::from_utf8(head).map_err(|_| Refused::Malformed)?;
    let mut lines = text.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    let (Some(method), Some(target), Some(version)) = (first.next(), first.next(), first.next())
    else {
        return Err(Refused::Malformed);
    };
    if !version.starts_with("HTTP/1.") || !target.starts_with('/') {
        return Err(Refused::Malformed);
    }
    let host = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("host"))
        .map(|(_, value)| value.trim().to_owned());
    Ok(Request {
        method: method.to_owned(),
        target: target.to_owned(),
        host,
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        421 => "Misdirected Request",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "",
    }
}

fn write_reply(stream: &mut TcpStream, reply: &Reply, head_only: bool) -> io::Result<()> {
    let head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        reply.status,
        reason(reply.status),
        reply.kind,
        reply.body.len()
    );
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(&reply.body)?;
    }
    stream.flush()?;
    // Read no more: close, telling the client nothing else is coming.
    let _ = stream.shutdown(std::net::Shutdown::Write);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_are_read_as_browsers_send_them() {
        let r = parse_head(b"GET /a%20b.html?x=1 HTTP/1.1\r\nHost: localhost:8000\r\nAccept: */*")
            .unwrap();
        assert_eq!(
            r,
            Request {
                method: "GET".into(),
                target: "/a%20b.html?x=1".into(),
                host: Some("localhost:8000".into()),
            }
        );
        assert_eq!(parse_head(b"GET / HTTP/1.0").unwrap().host, None);
        assert_eq!(
            parse_head(b"GET http://x/ HTTP/1.1"),
            Err(Refused::Malformed)
        );
        assert_eq!(parse_head(b"nonsense"), Err(Refused::Malformed));
        assert_eq!(
            parse_head(b"GET / HTTP/1.1\r\n\xff: x"),
            Err(Refused::Malformed)
        );
    }
}
