//! Saving and loading the network in `<dir>/data/sim/`: `network.bin`
//! (channels, payments, counters) and the invoices in segment files of 4096
//! (`invoices/<node>-<n>.bin`), so a new keysend rewrites one small segment,
//! not the whole history. Protobuf-encoded, versioned, every file written
//! atomically. Segments are written before `network.bin`, whose invoice
//! counts decide what is loaded.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use prost::Message as _;

use crate::rpc::lnrpc::Payment;

use super::graph::NODES;
use super::ledger::{Ledger, SEGMENT, StoredInvoice};
use super::network::{ChannelState, Network};
use super::server::Shared;
use super::{SimError, disk};

/// Format version of `network.bin`.
const VERSION: u32 = 1;

#[derive(Clone, PartialEq, prost::Message)]
struct NetworkFile {
    #[prost(uint32, tag = "1")]
    version: u32,
    #[prost(uint32, tag = "2")]
    block_height: u32,
    #[prost(message, repeated, tag = "3")]
    channels: Vec<ChannelState>,
    #[prost(message, repeated, tag = "4")]
    nodes: Vec<NodeFile>,
    /// The seed of the user's node key (empty in files written before it
    /// existed: that node keeps the key derived from its name).
    #[prost(bytes = "vec", tag = "5")]
    identity: Vec<u8>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct NodeFile {
    #[prost(string, tag = "1")]
    name: String,
    #[prost(message, repeated, tag = "2")]
    payments: Vec<Payment>,
    #[prost(uint64, tag = "3")]
    next_attempt_id: u64,
    #[prost(uint64, tag = "4")]
    invoice_count: u64,
}

#[derive(Clone, PartialEq, prost::Message)]
struct SegmentFile {
    #[prost(message, repeated, tag = "1")]
    invoices: Vec<StoredInvoice>,
}

/// Writes the network's files; one save at a time.
pub(crate) struct Persister {
    dir: PathBuf,
    serial: tokio::sync::Mutex<()>,
}

impl Persister {
    /// Persist into `<lnd dir>/data/sim`.
    pub fn new(lnd_dir: &Path) -> Self {
        Self {
            dir: state_dir(lnd_dir),
            serial: tokio::sync::Mutex::new(()),
        }
    }

    /// Save what changed since the last save.
    pub async fn save(&self, shared: &Arc<Shared>) -> Result<(), SimError> {
        let _one_at_a_time = self.serial.lock().await;
        let files = snapshot(&mut shared.lock(), &self.dir);
        tokio::task::spawn_blocking(move || {
            files
                .iter()
                .try_for_each(|(path, bytes)| disk::write_atomic(path, bytes))
        })
        .await
        .map_err(|e| SimError::Corrupt(format!("the save task failed: {e}")))?
    }
}

/// `<lnd dir>/data/sim`.
pub(crate) fn state_dir(lnd_dir: &Path) -> PathBuf {
    lnd_dir.join("data").join("sim")
}

fn segment_path(dir: &Path, node: &str, number: usize) -> PathBuf {
    dir.join("invoices").join(format!("{node}-{number:05}.bin"))
}

/// Encode dirty segments and then the network file, under the lock.
fn snapshot(network: &mut Network, dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for (spec, ledger) in NODES.iter().zip(network.ledgers.iter_mut()) {
        for number in ledger.take_dirty_segments() {
            let segment = SegmentFile {
                invoices: ledger.segment(number).to_vec(),
            };
            files.push((
                segment_path(dir, spec.name, number),
                segment.encode_to_vec(),
            ));
        }
    }
    let nodes = NODES
        .iter()
        .zip(&network.ledgers)
        .map(|(spec, ledger)| NodeFile {
            name: spec.name.to_owned(),
            payments: ledger.payments().values().cloned().collect(),
            next_attempt_id: ledger.next_attempt_id,
            invoice_count: ledger.invoices().len() as u64,
        })
        .collect();
    let file = NetworkFile {
        version: VERSION,
        block_height: network.block_height,
        channels: network.channels.clone(),
        nodes,
        identity: network.identity.clone(),
    };
    files.push((dir.join("network.bin"), file.encode_to_vec()));
    files
}

/// Load a saved network; `Ok(None)` when the directory has none yet.
pub(crate) fn load(lnd_dir: &Path) -> Result<Option<Network>, SimError> {
    let dir = state_dir(lnd_dir);
    let path = dir.join("network.bin");
    let Some(bytes) = disk::read_optional(&path)? else {
        return Ok(None);
    };
    let file = NetworkFile::decode(bytes.as_slice()).map_err(|e| corrupt(&path, &e.to_string()))?;
    if file.version != VERSION {
        return Err(corrupt(
            &path,
            &format!("unknown format version {}", file.version),
        ));
    }
    let mut network = Network::fresh_as(file.identity);
    network.block_height = file.block_height;
    for saved in file.channels {
        if let Some(index) = network.channel_by_id(saved.chan_id) {
            network.channels[index] = saved;
        }
    }
    for (index, spec) in NODES.iter().enumerate() {
        if let Some(node) = file.nodes.iter().find(|n| n.name == spec.name) {
            let invoices = load_invoices(&dir, spec.name, node.invoice_count as usize)?;
            network.ledgers[index] =
                Ledger::restore(invoices, node.payments.clone(), node.next_attempt_id);
        }
    }
    Ok(Some(network))
}

/// The first `count` invoices of a node from its segment files.
fn load_invoices(dir: &Path, node: &str, count: usize) -> Result<Vec<StoredInvoice>, SimError> {
    let mut invoices = Vec::with_capacity(count);
    for number in 0..count.div_ceil(SEGMENT) {
        let path = segment_path(dir, node, number);
        let bytes =
            disk::read_optional(&path)?.ok_or_else(|| corrupt(&path, "missing invoice segment"))?;
        let segment =
            SegmentFile::decode(bytes.as_slice()).map_err(|e| corrupt(&path, &e.to_string()))?;
        invoices.extend(segment.invoices);
    }
    if invoices.len() < count {
        return Err(corrupt(
            &dir.join("invoices"),
            &format!("{node} has {} of {count} invoices", invoices.len()),
        ));
    }
    invoices.truncate(count);
    if invoices
        .iter()
        .enumerate()
        .any(|(i, inv)| inv.add_index != i as u64 + 1)
    {
        return Err(corrupt(
            &dir.join("invoices"),
            &format!("{node}'s add indexes are not contiguous"),
        ));
    }
    Ok(invoices)
}

fn corrupt(path: &Path, detail: &str) -> SimError {
    SimError::Corrupt(format!("{}: {detail}", path.display()))
}
