//! Single instance: the window that holds the profile's lock also listens on
//! a Unix socket beside the lock (`satchel.sock`). A second launch, finding
//! the lock taken, connects, sends `raise`, gets `ok` and exits 0 saying the
//! window was brought to the front; the first process turns the request
//! into a window focus ([`raise_requests`], a GUI subscription).
//!
//! The protocol is one line each way. Only the user can reach the socket:
//! it lives in the profile's private (0700) config folder.

use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use crate::store::Paths;

/// What the second launch sends.
const RAISE: &str = "raise";
/// What the running window answers.
const OK: &str = "ok";
/// A running window answers at once; a hung one must not hang the launch.
const ANSWER_WITHIN: Duration = Duration::from_secs(3);

/// The socket of a profile.
pub fn socket_path(paths: &Paths) -> PathBuf {
    paths.root().join("satchel.sock")
}

/// Raise requests seen by this process (a counter; the GUI watches it).
fn raises() -> &'static tokio::sync::watch::Sender<u64> {
    static RAISES: OnceLock<tokio::sync::watch::Sender<u64>> = OnceLock::new();
    RAISES.get_or_init(|| tokio::sync::watch::channel(0).0)
}

/// The listening side; the socket file goes when it is dropped.
#[derive(Debug)]
pub struct Listener {
    path: PathBuf,
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Listen at `path` for raise requests. Call only while holding the
/// profile's lock: a socket file left by a crashed run is replaced.
pub fn listen(path: &Path) -> io::Result<Listener> {
    let _ = std::fs::remove_file(path);
    let listener = UnixListener::bind(path)?;
    let _thread = std::thread::Builder::new()
        .name("satchel-raise".into())
        .spawn(move || {
            for stream in listener.incoming().flatten() {
                let _ = answer(stream);
            }
        })?;
    Ok(Listener {
        path: path.to_owned(),
    })
}

/// Read one request; `raise` counts a raise and is answered `ok`.
fn answer(stream: UnixStream) -> io::Result<()> {
    stream.set_read_timeout(Some(ANSWER_WITHIN))?;
    let mut line = String::new();
    let _ = BufReader::new(&stream).read_line(&mut line)?;
    if line.trim() != RAISE {
        return Ok(());
    }
    raises().send_modify(|count| *count += 1);
    (&stream).write_all(format!("{OK}\n").as_bytes())?;
    log::info!("another launch asked to raise the window");
    Ok(())
}

/// Ask the window listening at `path` to come to the front.
pub fn ask_to_raise(path: &Path) -> io::Result<()> {
    let stream = UnixStream::connect(path)?;
    stream.set_read_timeout(Some(ANSWER_WITHIN))?;
    (&stream).write_all(format!("{RAISE}\n").as_bytes())?;
    let mut line = String::new();
    let _ = BufReader::new(&stream).read_line(&mut line)?;
    match line.trim() == OK {
        true => Ok(()),
        false => Err(io::Error::other(format!("unexpected answer {line:?}"))),
    }
}

/// How many raise requests this process has answered.
pub fn raise_count() -> u64 {
    *raises().borrow()
}

/// A stream of `()`, one per raise request from now on (for
/// `iced::Subscription::run`).
pub fn raise_requests() -> impl futures::Stream<Item = ()> + Send + 'static {
    let mut receiver = raises().subscribe();
    receiver.mark_unchanged();
    futures::stream::unfold(receiver, |mut receiver| async move {
        receiver.changed().await.ok()?;
        Some(((), receiver))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;

    #[tokio::test]
    async fn a_second_launch_hands_over_to_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = socket_path(&Paths::at(dir.path()));
        assert!(ask_to_raise(&path).is_err(), "nobody listens yet");
        let mut requests = Box::pin(raise_requests());
        let listener = listen(&path).unwrap();
        let before = raise_count();
        let asked = tokio::task::spawn_blocking({
            let path = path.clone();
            move || ask_to_raise(&path)
        });
        asked.await.unwrap().expect("the first instance answers ok");
        assert!(raise_count() > before);
        requests.next().await.expect("the window hears the request");
        drop(listener);
        assert!(!path.exists(), "the socket goes with the listener");
        assert!(ask_to_raise(&path).is_err());
    }

    #[test]
    fn a_stale_socket_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("satchel.sock");
        drop(UnixListener::bind(&path).unwrap()); // a crashed run's file
        assert!(path.exists() && ask_to_raise(&path).is_err());
        let _listener = listen(&path).unwrap();
        ask_to_raise(&path).unwrap();
    }
}
