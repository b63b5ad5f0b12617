//! `tip serve DIR [--port N] [--as-of DATE] [--months N]`: a live preview
//! of the site for coordinators.
//!
//! The site is built in memory and served on 127.0.0.1 only; every change
//! under the data folder rebuilds it. When the data is invalid the
//! diagnostics are printed in the terminal and every page shows them
//! instead of a stale site. Pages poll a small version counter and reload
//! themselves after a rebuild.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::Path;
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use chrono::NaiveDate;
use tip_site::site;

use crate::{DataDir, Outcome};

mod http;
use http::Reply;

/// Arguments of `tip serve`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    data: DataDir,
    /// The port (0: any free port, printed).
    #[arg(long, default_value_t = 8000)]
    port: u16,
    /// The address to listen on (default 127.0.0.1: this computer only).
    /// Another, such as 0.0.0.0, lets a phone on the same network see the
    /// preview: anyone on that network can then.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    host: std::net::IpAddr,
    /// "Today" for upcoming dates and progress (default: today).
    #[arg(long, value_name = "DATE", value_parser = crate::data::date)]
    as_of: Option<NaiveDate>,
    /// Months of dates on the front page and in the bulletin.
    #[arg(long, value_name = "N", default_value_t = 6)]
    months: u32,
}

/// The site as served: its files, or the problems that stop it.
enum Preview {
    Site(HashMap<String, Vec<u8>>),
    Problems(String),
}

/// What the server shares with the builder.
struct State {
    preview: Preview,
    /// Raised on every rebuild: pages reload when it changes.
    version: u64,
}

/// Serve until interrupted.
pub(crate) fn run(args: &Args) -> io::Result<Outcome> {
    let dir = args.data.dir.clone();
    if !dir.is_dir() {
        // The same words as every other command.
        crate::data::check(&dir, tip_core::Scope::Everything)?;
    }
    let listener = std::net::TcpListener::bind((args.host, args.port)).map_err(|e| {
        io::Error::new(
            io::ErrorKind::AddrInUse,
            format!(
                "cannot serve on {}:{}: {e}\n  = help: choose another port with `--port`",
                args.host, args.port
            ),
        )
    })?;
    if !args.host.is_loopback() {
        writeln!(
            anstream::stderr(),
            "warning: serving on {} as well as this computer: anyone on this network can see the preview",
            args.host
        )?;
    }
    let state = Arc::new(Mutex::new(State {
        preview: build(&dir, args),
        version: 1,
    }));
    let port = listener.local_addr().map_or(args.port, |a| a.port());
    let mut err = anstream::stderr();
    let shown = if args.host.is_unspecified() || args.host.is_loopback() {
        "127.0.0.1".to_string()
    } else {
        args.host.to_string()
    };
    writeln!(
        err,
        "serving {} at http://{shown}:{port}/{}; rebuilt on every change; Ctrl-C stops",
        dir.display(),
        if args.host.is_loopback() {
            " (only this computer)"
        } else {
            ""
        },
    )?;

    let (watcher, builder) = rebuild_on_change(&dir, args, &state)?;

    // Only the names of this computer (and the address chosen) are
    // answered: a web page elsewhere cannot read the preview through a
    // name it points at 127.0.0.1 (DNS rebinding).
    let host = args.host;
    let served = {
        let state = Arc::clone(&state);
        http::serve(listener, move |request| {
            if allowed_host(request.host.as_deref(), host) {
                respond(&state, &request.target)
            } else {
                Reply::text(
                    421,
                    "421 Misdirected Request: this preview answers to localhost only\n",
                )
            }
        })
    };
    drop(watcher);
    let _ = builder.join();
    served.map(|()| Outcome::Success)
}

/// Watch the data folder and rebuild the preview on every change, a
/// moment after the last of a burst (an editor writes a file in several
/// steps). Returns the watcher (dropping it ends the rebuilding) and the
/// rebuilding thread.
fn rebuild_on_change(
    dir: &Path,
    args: &Args,
    state: &Arc<Mutex<State>>,
) -> io::Result<(
    Arc<Mutex<notify::RecommendedWatcher>>,
    std::thread::JoinHandle<()>,
)> {
    let dir = dir.to_path_buf();
    let (tx, rx) = mpsc::channel();
    // Links are not followed out of the data folder; its parent is watched
    // too, so that a folder deleted and made again is seen.
    let mut watcher = <notify::RecommendedWatcher as notify::Watcher>::new(
        move |event: notify::Result<notify::Event>| {
            if event.is_ok_and(|e| !e.kind.is_access()) {
                let _ = tx.send(());
            }
        },
        notify::Config::default().with_follow_symlinks(false),
    )
    .map_err(io::Error::other)?;
    // A part that cannot be watched (an unreadable folder) is reported on
    // the page by the build; the preview goes on with the rest.
    if let Err(e) = notify::Watcher::watch(&mut watcher, &dir, notify::RecursiveMode::Recursive) {
        writeln!(
            anstream::stderr(),
            "warning: cannot watch every part of {}: {e}; save again after fixing it",
            dir.display()
        )?;
    }
    let parent = std::path::absolute(&dir)
        .ok()
        .and_then(|d| d.parent().map(Path::to_path_buf));
    if let Some(parent) = &parent {
        let _ = notify::Watcher::watch(&mut watcher, parent, notify::RecursiveMode::NonRecursive);
    }
    let watcher = Arc::new(Mutex::new(watcher));
    let builder = {
        let state = Arc::clone(state);
        let watcher = Arc::clone(&watcher);
        let args = Args {
            data: DataDir { dir: dir.clone() },
            port: args.port,
            host: args.host,
            as_of: args.as_of,
            months: args.months,
        };
        std::thread::spawn(move || {
            while rx.recv().is_ok() {
                // A moment after the last change of a burst, but at least
                // once a second while changes never stop.
                let first = std::time::Instant::now();
                while first.elapsed() < Duration::from_secs(1)
                    && rx.recv_timeout(Duration::from_millis(150)).is_ok()
                {}
                // The folder may have been deleted and made again: watch
                // it anew (watching a watched folder changes nothing).
                if dir.is_dir() {
                    let mut w = watcher
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    let _ = notify::Watcher::watch(&mut *w, &dir, notify::RecursiveMode::Recursive);
                }
                let preview = build(&dir, &args);
                let mut s = state
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                s.preview = preview;
                s.version += 1;
            }
        })
    };

    Ok((watcher, builder))
}

/// Whether a request's `Host` names this computer or the address the
/// preview listens on (with any port).
fn allowed_host(host: Option<&str>, listening: std::net::IpAddr) -> bool {
    let Some(host) = host else {
        return false;
    };
    let name = match host.rsplit_once(':') {
        // `[::1]:8000`, `localhost:8000`; but not the colons of a bare IPv6.
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) && !name.ends_with(':') => {
            name
        }
        _ => host,
    };
    let name = name.trim_start_matches('[').trim_end_matches(']');
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<std::net::IpAddr>().is_ok_and(|ip| {
            // On every interface (0.0.0.0), any of this computer's
            // addresses: a name other than `localhost` never.
            ip.is_loopback() || ip == listening || listening.is_unspecified()
        })
}

/// How many problems the preview's page shows: the first to fix, then a
/// count of the rest (a phone need not scroll past thirty).
const SHOWN: usize = 3;

/// The page's text: the first errors in full (the first to fix first),
/// then how many more there are and where to see them.
fn first_problems(diagnostics: &[tip_core::Diagnostic], dir: &Path) -> String {
    let errors: Vec<tip_core::Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.is_error())
        .take(SHOWN)
        .cloned()
        .collect();
    // Where and what, never the lines themselves: a row of people.csv
    // holds a name and an email, and the page can be seen by others.
    let mut text = String::new();
    for d in &errors {
        text.push_str(&format!("error[{}]: {}\n", d.code.as_str(), d.message));
        if let Some(l) = &d.location {
            text.push_str(&format!(" --> {}:{}:{}\n", l.file, l.line, l.column));
        }
        if let Some(help) = &d.help {
            text.push_str(&format!("  = help: {help}\n"));
        }
        text.push('\n');
    }
    let rest = diagnostics.iter().filter(|d| d.is_error()).count() - errors.len();
    if rest > 0 {
        text.push_str(&format!(
            "… and {rest} more error{}: run `tip validate {}` to see every one.\n",
            if rest == 1 { "" } else { "s" },
            dir.display()
        ));
    }
    let summary = tip_report::summary(diagnostics);
    text.push_str(&format!("\n{summary}\n"));
    text
}

/// Build the site in memory; print what stops it.
fn build(dir: &Path, args: &Args) -> Preview {
    let started = std::time::Instant::now();
    let report = match crate::data::check(dir, tip_core::Scope::Everything) {
        Ok(report) => report,
        Err(e) => return problems(&format!("error: {e}\n")),
    };
    // What `validate` checks, all of it: a font, a key or a template the
    // build would trip on is shown on the page too.
    let diagnostics = crate::checks::everything(dir, &report);
    let data = match report.into_result() {
        Ok((data, _)) if !diagnostics.iter().any(tip_core::Diagnostic::is_error) => data,
        _ => {
            let _ = write!(
                anstream::stderr(),
                "{}",
                tip_report::human(&diagnostics, dir, true)
            );
            return Preview::Problems(first_problems(&diagnostics, dir));
        }
    };
    let opts = site::Options {
        as_of: args.as_of.unwrap_or_else(crate::today),
        stamp: chrono::Utc::now(),
        months: args.months,
        issuer: None,
        signing_key: None,
        previous: Default::default(),
        previous_status: Default::default(),
    };
    match site::build(&data, &opts) {
        Ok(files) => {
            let _ = writeln!(
                anstream::stderr(),
                "built {} files in {} ms",
                files.len(),
                started.elapsed().as_millis()
            );
            Preview::Site(files.into_iter().collect())
        }
        Err(e) => problems(&format!("error: {e}\n")),
    }
}

fn problems(text: &str) -> Preview {
    let _ = write!(anstream::stderr(), "{text}");
    Preview::Problems(text.to_owned())
}

/// The page a coordinator sees when the data has problems.
fn problems_page(text: &str) -> String {
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        "<!doctype html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>The data has problems</title></head>\n<body style=\"font-family: system-ui, sans-serif; margin: 1rem\"><h1>The data has problems</h1><p>Fix them and save: this page reloads by itself.</p><pre style=\"white-space: pre-wrap; background: #fcecee; padding: 1rem\">{escaped}</pre>{RELOAD}</body></html>\n"
    )
}

/// Polls the version and reloads when a rebuild happened.
const RELOAD: &str = "<script>(function(){var v=null;setInterval(function(){fetch('/__tip/version').then(function(r){return r.text()}).then(function(t){if(v!==null&&t!==v){location.reload()}v=t}).catch(function(){})},500)})();</script>";

fn respond(state: &Mutex<State>, url: &str) -> Reply {
    let s = state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let path = url.split(['?', '#']).next().unwrap_or("/");
    if path == "/__tip/version" {
        return reply(200, "text/plain", s.version.to_string().into_bytes());
    }
    let files = match &s.preview {
        Preview::Problems(text) => {
            return reply(
                200,
                "text/html; charset=utf-8",
                problems_page(text).into_bytes(),
            );
        }
        Preview::Site(files) => files,
    };
    let mut rel = percent_decode(path.trim_start_matches('/'));
    if rel.is_empty() || rel.ends_with('/') {
        rel.push_str("index.html");
    }
    match files.get(&rel) {
        Some(bytes) if rel.ends_with(".html") => {
            // Reload after a rebuild: added to what is served, never to
            // the site `tip build` writes.
            let mut html = String::from_utf8_lossy(bytes).into_owned();
            match html.rfind("</body>") {
                Some(at) => html.insert_str(at, RELOAD),
                None => html.push_str(RELOAD),
            }
            reply(200, "text/html; charset=utf-8", html.into_bytes())
        }
        Some(bytes) => reply(200, content_type(&rel), bytes.clone()),
        None => reply(404, "text/plain", b"not in the site\n".to_vec()),
    }
}

fn reply(status: u16, kind: &'static str, body: Vec<u8>) -> Reply {
    Reply { status, kind, body }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ics" => "text/calendar; charset=utf-8",
        "json" => "application/json",
        "md" => "text/markdown; charset=utf-8",
        "zip" => "application/zip",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// `%20` and friends, for file names with spaces; anything malformed is
/// left as written (and then not found).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_decode_and_never_leave_the_site() {
        assert_eq!(percent_decode("packs/a%20b.zip"), "packs/a b.zip");
        assert_eq!(percent_decode("%zz"), "%zz");
        let state = Mutex::new(State {
            preview: Preview::Site(HashMap::from([(
                "index.html".to_string(),
                b"<body>x</body>".to_vec(),
            )])),
            version: 3,
        });
        let page = |url: &str| {
            let r = respond(&state, url);
            (r.status, String::from_utf8(r.body).unwrap())
        };
        let (code, body) = page("/");
        assert_eq!(code, 200);
        assert!(body.contains("__tip/version"), "reloads itself");
        assert_eq!(page("/__tip/version").1, "3");
        assert_eq!(page("/../../etc/passwd").0, 404);
        state.lock().unwrap().preview = Preview::Problems("error[x]: <bad>".into());
        let (_, body) = page("/courses/a.html");
        assert!(body.contains("The data has problems") && body.contains("&lt;bad&gt;"));
    }

    #[test]
    fn only_this_computers_names_are_answered() {
        let local: std::net::IpAddr = "127.0.0.1".parse().unwrap();
        for ok in [
            "localhost",
            "localhost:8000",
            "127.0.0.1:8000",
            "[::1]:8000",
            "LOCALHOST",
        ] {
            assert!(allowed_host(Some(ok), local), "{ok}");
        }
        for bad in [
            "attacker.example",
            "attacker.example:8000",
            "192.168.1.9:8000",
            "",
        ] {
            assert!(!allowed_host(Some(bad), local), "{bad}");
        }
        assert!(!allowed_host(None, local));
        let any: std::net::IpAddr = "0.0.0.0".parse().unwrap();
        assert!(
            allowed_host(Some("192.168.1.9:8000"), any),
            "the phone on the network"
        );
        assert!(!allowed_host(Some("evil.example"), any));
    }
}
