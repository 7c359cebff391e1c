//! Fault injection: a network-wide switch that, when turned off, ends every
//! open stream with `Status::unavailable`, cuts every TCP connection and
//! refuses new ones, until it is turned back on.

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

/// Delay between ending the streams and cutting the connections.
const CUT_DELAY: Duration = Duration::from_millis(100);

/// The connections switch.
pub(crate) struct Gate {
    open: watch::Sender<bool>,
}

impl Gate {
    /// A gate that lets connections through.
    pub fn new() -> Self {
        Self {
            open: watch::Sender::new(true),
        }
    }

    /// Open or close the gate.
    pub fn set(&self, open: bool) {
        let _ = self.open.send_replace(open);
    }

    /// Connections are allowed.
    pub fn is_open(&self) -> bool {
        *self.open.borrow()
    }

    /// Refuse a call while closed.
    pub fn check(&self) -> Result<(), Status> {
        if self.is_open() {
            Ok(())
        } else {
            Err(unavailable())
        }
    }

    /// Resolves once the gate is closed (at once if it is closed now).
    pub fn closed(&self) -> Closed {
        let mut open = self.open.subscribe();
        Box::pin(async move {
            let _ = open.wait_for(|open| !*open).await;
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
        let open = self.open.subscribe();
        futures::stream::unfold((listener, open), |(listener, open)| async move {
            loop {
                match listener.accept().await {
                    Ok((tcp, _)) if *open.borrow() => {
                        let _ = tcp.set_nodelay(true);
                        let io = GatedIo::new(tcp, open.clone());
                        return Some((Ok(io), (listener, open)));
                    }
                    Ok(_) => {}
                    Err(error) => log::warn!("sim: accept failed: {error}"),
                }
            }
        })
    }
}

fn unavailable() -> Status {
    Status::unavailable("the simulated node dropped the connection (connections disabled)")
}

/// A TCP stream that fails all I/O once the gate closes.
pub(crate) struct GatedIo {
    tcp: TcpStream,
    closed: Closed,
    cut: bool,
}

impl GatedIo {
    fn new(tcp: TcpStream, mut open: watch::Receiver<bool>) -> Self {
        let closed = Box::pin(async move {
            let _ = open.wait_for(|open| !*open).await;
            // Let the streams' final `unavailable` statuses reach the client first.
            tokio::time::sleep(CUT_DELAY).await;
        });
        Self {
            tcp,
            closed,
            cut: false,
        }
    }

    /// Whether the gate has closed since this connection was accepted.
    fn is_cut(&mut self, cx: &mut Context<'_>) -> bool {
        if !self.cut && self.closed.as_mut().poll(cx).is_ready() {
            self.cut = true;
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
