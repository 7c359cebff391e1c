//! Serving Nostr Wallet Connect while the window is open: the same
//! [`Service`] `satchel nwc serve` runs (same journal, same budgets in the
//! same connections file), started in the background by Settings >
//! Connected apps, and under `--demo` the local relay `--demo nwc serve`
//! uses. Both stop when the session ends (their holders are dropped).

use std::sync::{Arc, Mutex, PoisonError};

use crate::node::SharedNode;
use crate::nwc::gui_api::{self, RelayState};
use crate::nwc::relay::DemoRelay;
use crate::nwc::{self, Service, ServiceHandle};
use crate::store::{Paths, SecretStore};

/// A running service, shared by the messages that carry it.
#[derive(Clone)]
pub struct Running(Arc<Holder>);

struct Holder {
    handle: Mutex<Option<ServiceHandle>>,
    /// Connections whose key was not in the keyring (named for the user).
    skipped: Vec<String>,
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Running")
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        let handle = self
            .handle
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let (Some(handle), Ok(runtime)) = (handle, tokio::runtime::Handle::try_current()) {
            drop(runtime.spawn(handle.stop()));
        }
    }
}

/// Open the profile's connections for `node` and serve them.
pub async fn start(
    node: SharedNode,
    paths: Paths,
    secrets: Arc<dyn SecretStore>,
) -> Result<Running, String> {
    let clock: nwc::Clock = Arc::new(nwc::unix_now);
    let service = Service::open(node, &paths, secrets.as_ref(), clock)
        .await
        .map_err(|e| e.to_string())?;
    let skipped = service.skipped.iter().map(ToString::to_string).collect();
    let handle = service.serve(Vec::new()).await.map_err(|e| e.to_string())?;
    Ok(Running(Arc::new(Holder {
        handle: Mutex::new(Some(handle)),
        skipped,
    })))
}

impl Running {
    /// Stop serving and disconnect from the relays.
    pub async fn stop(self) {
        let handle = self
            .0
            .handle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(handle) = handle {
            handle.stop().await;
        }
    }

    /// The status line: how the relays are doing.
    pub async fn status(self) -> Status {
        let handle = self
            .0
            .handle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let Some(handle) = handle else {
            return Status::Off;
        };
        let relays = gui_api::relay_states(&handle).await;
        *self.0.handle.lock().unwrap_or_else(PoisonError::into_inner) = Some(handle);
        Status::Serving {
            relays,
            skipped: self.0.skipped.clone(),
        }
    }
}

/// What the status line says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Status {
    /// Nothing to serve (no connection).
    #[default]
    Off,
    Starting,
    Serving {
        relays: Vec<(String, RelayState)>,
        skipped: Vec<String>,
    },
    Error(String),
}

impl Status {
    /// One line for the screen, and whether it is a problem.
    pub fn line(&self) -> (String, bool) {
        match self {
            Self::Off => ("Not serving: no app is connected yet.".into(), false),
            Self::Starting => ("Starting the wallet service…".into(), false),
            Self::Error(error) => (format!("Wallet service error: {error}"), true),
            Self::Serving { relays, skipped } => {
                let up = relays
                    .iter()
                    .filter(|(_, s)| *s == RelayState::Connected)
                    .count();
                let names = |state: RelayState| -> Vec<&str> {
                    relays
                        .iter()
                        .filter(|(_, s)| *s == state)
                        .map(|(url, _)| url.as_str())
                        .collect()
                };
                let mut line = match (up, relays.len()) {
                    (_, 0) => "Serving, but no relay is set".to_owned(),
                    (up, all) if up == all => format!(
                        "Serving · relay connected: {}",
                        names(RelayState::Connected).join(", ")
                    ),
                    (_, _) if !names(RelayState::Down).is_empty() => {
                        format!(
                            "Serving · relay error (gave up): {}",
                            names(RelayState::Down).join(", ")
                        )
                    }
                    (up, all) => format!(
                        "Serving · reconnecting to {} ({up} of {all} connected)",
                        names(RelayState::Reconnecting).join(", ")
                    ),
                };
                for problem in skipped {
                    line.push_str(&format!(" · not served: {problem}"));
                }
                let bad = up < relays.len() || !skipped.is_empty();
                (line, bad)
            }
        }
    }
}

/// The local relay of `--demo` (the one `satchel --demo nwc serve` runs).
#[derive(Clone)]
pub struct Relay(#[allow(dead_code)] Arc<DemoRelay>);

impl std::fmt::Debug for Relay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Relay")
    }
}

/// Start the demo relay on its fixed port.
pub async fn demo_relay() -> Result<Relay, String> {
    DemoRelay::start(crate::cli::nwc::DEMO_RELAY_PORT)
        .await
        .map(|relay| Relay(Arc::new(relay)))
        .map_err(|e| {
            format!(
                "the demo relay could not start on port {} ({e}); is `satchel --demo nwc serve` running?",
                crate::cli::nwc::DEMO_RELAY_PORT
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serving(relays: &[(&str, RelayState)], skipped: &[&str]) -> Status {
        Status::Serving {
            relays: relays.iter().map(|(u, s)| ((*u).to_owned(), *s)).collect(),
            skipped: skipped.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn the_status_line_says_connected_reconnecting_or_error() {
        let (a, b) = ("wss://a.example", "wss://b.example");
        let ok = serving(&[(a, RelayState::Connected)], &[]).line();
        assert_eq!(ok, (format!("Serving · relay connected: {a}"), false));
        let (line, bad) = serving(
            &[(a, RelayState::Connected), (b, RelayState::Reconnecting)],
            &[],
        )
        .line();
        assert!(
            bad && line.contains(&format!("reconnecting to {b} (1 of 2")),
            "{line}"
        );
        let (line, bad) = serving(&[(a, RelayState::Down)], &[]).line();
        assert!(bad && line.contains("relay error"), "{line}");
        let (line, bad) = serving(&[(a, RelayState::Connected)], &["no key for \"x\""]).line();
        assert!(bad && line.contains("not served: no key"), "{line}");
        assert!(Status::Error("boom".into()).line().1);
        assert!(!Status::Off.line().1);
    }
}
