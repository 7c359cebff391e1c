//! Remembered nodes: turning a successful connection into a `SavedNode`
//! (file paths, or an lndconnect node whose macaroon goes to the keyring,
//! never the settings file), and a saved node back into a `ConnectSpec`.
//! Every file read and keyring call runs in a task.

use std::sync::Arc;

use iced::Task;

use crate::gui::app::{Context, Message};
use crate::gui::screen::connect::{self, Connection, Origin};
use crate::lnd::{self, ConnectSpec};
use std::path::Path;

use crate::store::{SavedNode, SecretStore, Settings, StoreError};

/// Load saved node `id` into a spec (reads files or the keyring) in a task.
pub fn load_saved(
    settings: &Settings,
    secrets: &Arc<dyn SecretStore>,
    id: String,
) -> Task<connect::Message> {
    let Some(saved) = settings.nodes.iter().find(|n| n.id == id).cloned() else {
        return Task::done(connect::Message::SavedLoaded(
            id,
            Err(connect::LoadError::Forgotten),
        ));
    };
    let secrets = secrets.clone();
    Task::perform(
        async move {
            tokio::task::spawn_blocking(move || ConnectSpec::from_saved(&saved, secrets.as_ref()))
                .await
                .map_err(|e| connect::LoadError::Task(e.to_string()))?
                .map_err(connect::LoadError::Saved)
        },
        move |result| connect::Message::SavedLoaded(id.clone(), result),
    )
}

/// Remember a new connection (when asked) and mark it active; returns the
/// keyring write and settings save to run.
pub fn remember(context: &mut Context, connection: &Connection) -> Task<Message> {
    match &connection.origin {
        Origin::Saved(id) => activate(context, id.clone()),
        Origin::Preselected => Task::none(),
        _ if !connection.remember => Task::none(),
        Origin::Uri if !context.secrets.is_persistent() => {
            context.warnings.push(
                "No system keyring: this node is connected for this session only and will not be remembered."
                    .into(),
            );
            Task::none()
        }
        Origin::Uri => keyring_node(context, connection),
        origin => match files_node(connection, origin) {
            Some(saved) => add(context, saved),
            None => Task::none(),
        },
    }
}

/// Add (or replace an entry for the same place) and make it active.
pub fn add(context: &mut Context, saved: SavedNode) -> Task<Message> {
    context.settings.nodes.retain(|n| n.kind != saved.kind);
    let id = saved.id.clone();
    context.settings.nodes.push(saved);
    activate(context, id)
}

fn activate(context: &mut Context, id: String) -> Task<Message> {
    context.settings.active_node = Some(id);
    save_settings(context)
}

/// Save the settings file in a task.
pub fn save_settings(context: &Context) -> Task<Message> {
    let (settings, paths) = (context.settings.clone(), context.paths.clone());
    Task::perform(
        async move {
            tokio::task::spawn_blocking(move || settings.save(&paths))
                .await
                .unwrap_or_else(|e| {
                    Err(StoreError::io(
                        "save",
                        Path::new("settings.json"),
                        std::io::Error::other(e.to_string()),
                    ))
                })
        },
        Message::Saved,
    )
}

/// Put an lndconnect node's macaroon in the keyring (blocking: in a task).
fn keyring_node(context: &Context, connection: &Connection) -> Task<Message> {
    let spec = &connection.spec;
    let (label, host_port) = (connection.label.clone(), spec.address());
    let cert = spec.saved_cert();
    let (macaroon, secrets) = (spec.macaroon.as_bytes().to_vec(), context.secrets.clone());
    let proxy = saved_proxy(spec);
    Task::perform(
        async move {
            tokio::task::spawn_blocking(move || {
                SavedNode::from_lndconnect(label, host_port, cert, &macaroon, secrets.as_ref())
                    .map(|node| node.with_proxy(proxy))
            })
            .await
            .unwrap_or_else(|e| Err(crate::store::SecretError::Failed(e.to_string())))
        },
        Message::Remembered,
    )
}

/// The proxy a saved node keeps (`HOST:PORT`).
fn saved_proxy(spec: &ConnectSpec) -> Option<String> {
    spec.proxy.as_ref().map(lnd::SocksProxy::address)
}

/// The settings entry for a node reached through files.
fn files_node(connection: &Connection, origin: &Origin) -> Option<SavedNode> {
    let proxy = saved_proxy(&connection.spec);
    files_place(connection, origin).map(|node| node.with_proxy(proxy))
}

fn files_place(connection: &Connection, origin: &Origin) -> Option<SavedNode> {
    let label = connection.label.clone();
    match origin {
        Origin::Files {
            host_port,
            cert_path,
            macaroon_path,
        } => Some(SavedNode::files(
            label,
            host_port.clone(),
            cert_path.into(),
            macaroon_path.into(),
        )),
        Origin::Local => {
            let dir = lnd::default_lnd_dir()?;
            let network = connection.info.network.name().to_owned();
            let macaroon = dir
                .join("data/chain/bitcoin")
                .join(network)
                .join("admin.macaroon");
            Some(SavedNode::files(
                label,
                connection.spec.address(),
                dir.join("tls.cert"),
                macaroon,
            ))
        }
        _ => None,
    }
}

/// Remove saved node `id`; returns its id when its macaroon may be in the keyring.
pub fn forget(settings: &mut Settings, id: &str) -> Option<String> {
    let before = settings.nodes.len();
    settings.nodes.retain(|n| n.id != id);
    if settings.active_node.as_deref() == Some(id) {
        settings.active_node = None;
    }
    (settings.nodes.len() < before).then(|| id.to_owned())
}
