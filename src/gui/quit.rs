//! SIGTERM and SIGINT (a logout, `kill`, Ctrl+C in the terminal) close the
//! window like its close button: the app returns from its loop and its
//! files are closed in order. Killed outright instead, the index's open
//! marker stays behind, and the next start checks the whole file before
//! showing anything (seconds at a million entries, see `wallet::integrity`).

/// One `()` when the process is asked to terminate (for
/// `iced::Subscription::run`).
pub fn requests() -> impl futures::Stream<Item = ()> + Send + 'static {
    futures::stream::once(async {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            match signal(SignalKind::terminate()) {
                Ok(mut term) => {
                    tokio::select! {
                        _ = term.recv() => {}
                        _ = tokio::signal::ctrl_c() => {}
                    }
                }
                Err(error) => {
                    log::warn!("SIGTERM not handled: {error}");
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
        log::info!("asked to terminate: closing");
    })
}

#[cfg(all(test, unix))]
mod tests {
    use futures::StreamExt;

    /// A SIGTERM to this process is one request, not the end of it.
    #[tokio::test]
    async fn a_sigterm_is_a_request_to_close() {
        let mut requests = Box::pin(super::requests());
        // The first poll installs the handler.
        assert!(futures::poll!(requests.next()).is_pending());
        let me = rustix::process::getpid();
        rustix::process::kill_process(me, rustix::process::Signal::TERM).unwrap();
        assert_eq!(requests.next().await, Some(()));
        assert_eq!(requests.next().await, None, "one request");
    }
}
