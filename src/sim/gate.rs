//! Fault injection: a network-wide switch that, when turned off, ends every
//! open stream with `Status::unavailable`, cuts every TCP connection and
//! refuses new ones, until it is turned back on.
//!
//! Each close starts a new epoch. Streams and connections remember the epoch
//! they began in and die only when a later close happens, so turning the gate
//! back on is deterministic: once [`Gate::set`]`(true)` returns, every
//! connection from before the close fails all further I/O (even if it never
//! noticed the close), and nothing accepted afterwards is touched by it.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::stream::{BoxStream, Stream, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tonic::Status;
use tonic::transport::server::{Connected, TcpConnectInfo};

type Closed = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Longest delay between ending the streams and cutting the connections
/// (cut at once if the gate opens again sooner).
const CUT_DELAY: Duration = Duration::from_millis(100);

/// The gate's position and how many times it has been closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct State {
    open: bool,
    /// Closes so far: the current epoch.
    closes: u64,
}

impl State {
    /// Whether a close happened after `epoch`.
    fn closed_since(self, epoch: u64) -> bool {
        self.closes > epoch
    }
}

/// The connections switch.
pub(crate) struct Gate {
    state: watch::Sender<State>,
}

impl Gate {
    /// A gate that lets connections through.
    pub fn new() -> Self {
        Self {
            state: watch::Sender::new(State {
                open: true,
                closes: 0,
            }),
        }
    }

    /// Open or close the gate. Closing a closed gate (or opening an open
    /// one) changes nothing.
    pub fn set(&self, open: bool) {
        let _ = self.state.send_if_modified(|state| {
            if state.open == open {
                return false;
            }
            state.open = open;
            if !open {
                state.closes += 1;
            }
            true
        });
    }

    /// Connections are allowed.
    pub fn is_open(&self) -> bool {
        self.state.borrow().open
    }

    /// Refuse a call while closed.
    pub fn check(&self) -> Result<(), Status> {
        if self.is_open() {
            Ok(())
        } else {
            Err(unavailable())
        }
    }

    /// Resolves once the gate closes after now (at once if it is closed now).
    pub fn closed(&self) -> Closed {
        let mut state = self.state.subscribe();
        let now = *state.borrow_and_update();
        Box::pin(async move {
            if now.open {
                let _ = state.wait_for(|s| s.closed_since(now.closes)).await;
            }
        })
    }

    /// End `stream` with `Status::unavailable` when the gate closes.
    pub fn guard<T: Send + 'static>(
        &self,
        stream: impl Stream<Item = Result<T, Status>> + Send + 'static,
    ) -> BoxStream<'static, Result<T, Status>> {
        let state = Some((stream.boxed(), self.closed()));
        futures::stream::unfold(state, |state| async move {
            let (mut stream, mut closed) = state?;
            tokio::select! {
                biased;
                () = &mut closed => Some((Err(unavailable()), None)),
                item = stream.next() => item.map(|item| (item, Some((stream, closed)))),
            }
        })
        .boxed()
    }

    /// Accepted connections, each cut when the gate closes; connections
    /// arriving while it is closed are dropped at once.
    pub fn incoming(
        &self,
        listener: TcpListener,
    ) -> impl Stream<Item = io::Result<GatedIo>> + Send + 'static {
        let state = self.state.subscribe();
        futures::stream::unfold((listener, state), |(listener, state)| async move {
            loop {
                match listener.accept().await {
                    Ok((tcp, _)) => {
                        let now = *state.borrow();
                        if !now.open {
                            continue;
                        }
                        let _ = tcp.set_nodelay(true);
                        let io = GatedIo::new(tcp, state.clone(), now.closes);
                        return Some((Ok(io), (listener, state)));
                    }
                    Err(error) => {
                        // E.g. out of file descriptors: do not spin.
                        log::warn!("sim: accept failed: {error}");
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                }
            }
        })
    }
}

fn unavailable() -> Status {
    Status::unavailable("the simulated node dropped the connection (connections disabled)")
}

/// A TCP stream that fails all I/O once the gate has closed after it was
/// accepted: [`CUT_DELAY`] after the close, or at once when the gate opens
/// again, whichever comes first.
pub(crate) struct GatedIo {
    tcp: TcpStream,
    state: watch::Receiver<State>,
    /// The epoch the connection was accepted in.
    epoch: u64,
    /// Wakes the connection when its cut is due.
    due: Closed,
    cut: bool,
}

impl GatedIo {
    fn new(tcp: TcpStream, state: watch::Receiver<State>, epoch: u64) -> Self {
        let mut watch = state.clone();
        let due = Box::pin(async move {
            let _ = watch.wait_for(|s| s.closed_since(epoch)).await;
            // Let the streams' final `unavailable` statuses reach the client
            // first, but never outlive the close: reopening cuts at once.
            tokio::select! {
                () = tokio::time::sleep(CUT_DELAY) => {}
                _ = watch.wait_for(|s| s.open) => {}
            }
        });
        Self {
            tcp,
            state,
            epoch,
            due,
            cut: false,
        }
    }

    /// Whether this connection is cut. Checked against the gate's state
    /// itself (not only the timer) so a reopen is seen synchronously.
    fn is_cut(&mut self, cx: &mut Context<'_>) -> bool {
        if !self.cut {
            let now = *self.state.borrow();
            let reopened = now.closed_since(self.epoch) && now.open;
            self.cut = reopened || self.due.as_mut().poll(cx).is_ready();
        }
        self.cut
    }
}

fn aborted() -> io::Error {
    io::Error::new(
        io::ErrorKind::ConnectionAborted,
        "simulated connection drop",
    )
}

impl AsyncRead for GatedIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.is_cut(cx) {
            return Poll::Ready(Err(aborted()));
        }
        Pin::new(&mut self.tcp).poll_read(cx, buf)
    }
}

impl AsyncWrite for GatedIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.is_cut(cx) {
            return Poll::Ready(Err(aborted()));
        }
        Pin::new(&mut self.tcp).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.is_cut(cx) {
            return Poll::Ready(Err(aborted()));
        }
        Pin::new(&mut self.tcp).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }
}

impl Connected for GatedIo {
    type ConnectInfo = TcpConnectInfo;

    fn connect_info(&self) -> Self::ConnectInfo {
        self.tcp.connect_info()
    }
}
