//! Starting, serving and stopping a simulated network, and the handle
//! tests and the demo use to drive it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;

use crate::keysend::record::{FIRST_CUSTOM, KEYSEND_PREIMAGE};
use crate::keysend::{Msat, NodeId, PaymentHash, Preimage, Records};
use crate::rpc::lnrpc::{PaymentFailureReason, payment};

use super::graph::{self, NODES, USER};
use super::network::Network;
use super::pay::{self, Keysend};
use super::persist::{self, Persister};
use super::server::{self, Server, Shared};
use super::{SimConfig, SimError, SimNode, history, macaroon};

/// Pause between a change and its save, to batch bursts.
const SAVE_DELAY: Duration = Duration::from_millis(300);

/// A served node of a running simulated network. The handle returned by
/// [`start`] owns the network (saving, demo traffic); handles from
/// [`SimHandle::serve_node`] only serve another node.
pub struct SimHandle {
    shared: Arc<Shared>,
    server: Server,
    dir: PathBuf,
    owner: Option<Owner>,
}

/// What the network-owning handle runs.
struct Owner {
    persister: Arc<Persister>,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Owner {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Start the network from `config.dir` (resuming saved state) and serve the
/// user's node.
pub async fn start(config: SimConfig) -> Result<SimHandle, SimError> {
    std::fs::create_dir_all(&config.dir).map_err(|e| SimError::io(&config.dir, e))?;
    let loaded = persist::load(&config.dir)?;
    let fresh = loaded.is_none();
    let shared = Arc::new(Shared::new(
        loaded.unwrap_or_else(|| {
            let identity = match config.own_identity {
                true => Network::new_identity(),
                false => Vec::new(),
            };
            Network::fresh_as(identity)
        }),
        config.payment_latency,
    ));
    resume_in_flight(&shared);
    let user = graph::node_index(USER).expect("the user node is in the graph");
    if fresh && config.seed_history > 0 {
        let mix = if config.seed_all_signed {
            history::Mix::AllSigned
        } else {
            history::Mix::Demo
        };
        history::seed(&mut shared.lock(), user, config.seed_history, mix);
    }
    let server = Server::start(shared.clone(), user, &config.dir, config.listen).await?;
    let persister = Arc::new(Persister::new(&config.dir));
    persister.save(&shared).await?;
    let mut tasks = vec![tokio::spawn(save_loop(shared.clone(), persister.clone()))];
    if let Some(interval) = config.traffic {
        tasks.push(tokio::spawn(history::traffic(
            shared.clone(),
            user,
            interval,
        )));
    }
    Ok(SimHandle {
        shared,
        server,
        dir: config.dir,
        owner: Some(Owner { persister, tasks }),
    })
}

/// LND resumes in-flight payments after a restart.
fn resume_in_flight(shared: &Arc<Shared>) {
    let in_flight: Vec<(usize, String)> = {
        let network = shared.lock();
        (0..NODES.len())
            .flat_map(|node| {
                network.ledgers[node]
                    .payments()
                    .values()
                    .filter(|p| p.status == payment::PaymentStatus::InFlight as i32)
                    .map(move |p| (node, p.payment_hash.clone()))
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    for (node, hash) in in_flight {
        pay::spawn_resolution(shared.clone(), node, hash);
    }
}

async fn save_loop(shared: Arc<Shared>, persister: Arc<Persister>) {
    loop {
        shared.dirty.notified().await;
        tokio::time::sleep(SAVE_DELAY).await;
        if let Err(error) = persister.save(&shared).await {
            log::error!("sim: saving the network failed: {error}");
        }
    }
}

impl SimHandle {
    /// The gRPC address.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr
    }

    /// The LND-like directory of the served node.
    pub fn lnd_dir(&self) -> &Path {
        &self.dir
    }

    /// `<dir>/tls.cert`.
    pub fn tls_cert_path(&self) -> PathBuf {
        self.dir.join("tls.cert")
    }

    /// `<dir>/data/chain/bitcoin/regtest/admin.macaroon`.
    pub fn admin_macaroon_path(&self) -> PathBuf {
        macaroon::admin_path(&server::network_dir(&self.dir))
    }

    /// `<dir>/data/chain/bitcoin/regtest/readonly.macaroon`.
    pub fn readonly_macaroon_path(&self) -> PathBuf {
        macaroon::readonly_path(&server::network_dir(&self.dir))
    }

    /// The id of the user's node ("satchel"): its own in each directory.
    pub fn user_node(&self) -> NodeId {
        let user = graph::node_index(USER).expect("the user node is in the graph");
        self.shared.lock().ids[user]
    }

    /// Every node of the network.
    pub fn nodes(&self) -> Vec<SimNode> {
        let ids = self.shared.lock().ids.clone();
        NODES
            .iter()
            .zip(ids)
            .map(|(n, id)| SimNode {
                name: n.name.to_owned(),
                id,
                alias: n.alias.to_owned(),
                accepts_keysend: n.accepts_keysend,
                private: n.private,
            })
            .collect()
    }

    /// A node's id by its short name.
    pub fn node_id(&self, name: &str) -> Option<NodeId> {
        graph::node_index(name).map(|index| self.shared.lock().ids[index])
    }

    /// Serve another node of the same network from its own directory
    /// (certificate, macaroons, port).
    pub async fn serve_node(&self, name: &str, dir: PathBuf) -> Result<SimHandle, SimError> {
        let node = graph::node_index(name).ok_or_else(|| SimError::UnknownNode(name.to_owned()))?;
        std::fs::create_dir_all(&dir).map_err(|e| SimError::io(&dir, e))?;
        let listen = SocketAddr::from(([127, 0, 0, 1], 0));
        let server = Server::start(self.shared.clone(), node, &dir, listen).await?;
        Ok(SimHandle {
            shared: self.shared.clone(),
            server,
            dir,
            owner: None,
        })
    }

    /// Node `from` pays the user's node a keysend with `records` (routed
    /// through the graph); waits for the result.
    pub async fn inject_keysend(
        &self,
        from: &str,
        amount: Msat,
        records: Records,
    ) -> Result<PaymentHash, SimError> {
        let sender =
            graph::node_index(from).ok_or_else(|| SimError::UnknownNode(from.to_owned()))?;
        let user = graph::node_index(USER).expect("the user node is in the graph");
        inject(&self.shared, sender, user, amount, records).await
    }

    /// A keysend with `records` settled at the user's node without being
    /// routed (no onion could carry records this large): makes a
    /// ListInvoices page over gRPC's message limit in tests.
    pub fn settle_unrouted(&self, amount: Msat, records: Records) -> PaymentHash {
        let user = graph::node_index(USER).expect("the user node is in the graph");
        let hash =
            super::invoices::settle_unrouted(&mut self.shared.lock(), user, amount.0, records);
        PaymentHash::from_bytes(hash)
    }

    /// Node `name` adds a BOLT11 invoice (AddInvoice): its text and hash.
    /// With `description_hash` the invoice carries that instead of `memo`.
    pub fn add_invoice(
        &self,
        name: &str,
        amount: Option<Msat>,
        memo: &str,
        description_hash: Option<[u8; 32]>,
    ) -> Result<(String, PaymentHash), SimError> {
        let node = graph::node_index(name).ok_or_else(|| SimError::UnknownNode(name.to_owned()))?;
        let added = super::bolt11::add_simple(
            &mut self.shared.lock(),
            node,
            amount,
            memo,
            description_hash,
        )
        .map_err(|s| SimError::Refused(s.message().to_owned()))?;
        self.shared.mark_dirty();
        Ok(added)
    }

    /// Whether node `name`'s invoice `hash` is settled (`None`: no such
    /// invoice).
    pub fn invoice_settled(&self, name: &str, hash: &PaymentHash) -> Option<bool> {
        let node = graph::node_index(name)?;
        let network = self.shared.lock();
        let invoice = network.ledgers[node].invoice_by_hash(hash.as_bytes())?;
        Some(invoice.state == super::ledger::INVOICE_SETTLED)
    }

    /// Drop every open stream and connection and refuse new ones while
    /// `false` (fault injection).
    pub fn set_connections_enabled(&self, enabled: bool) {
        self.shared.set_enabled(enabled);
    }

    /// Stop serving; the network's state is saved in the directory and
    /// [`start`] on the same directory resumes it.
    pub async fn shutdown(mut self) {
        self.server.stop().await;
        if let Some(owner) = self.owner.take() {
            for task in &owner.tasks {
                task.abort();
            }
            if let Err(error) = owner.persister.save(&self.shared).await {
                log::error!("sim: final save failed: {error}");
            }
        }
    }
}

/// Send a keysend from `sender` to `dest` and wait for the outcome.
pub(crate) async fn inject(
    shared: &Arc<Shared>,
    sender: usize,
    dest: usize,
    amount: Msat,
    mut records: Records,
) -> Result<PaymentHash, SimError> {
    if let Some(key) = records.keys().find(|k| **k < FIRST_CUSTOM) {
        return Err(SimError::Refused(format!(
            "record type {key} is below 65536"
        )));
    }
    if sender == dest || amount.0 == 0 {
        return Err(SimError::Refused(
            "a keysend needs another node and an amount".into(),
        ));
    }
    let preimage = Preimage::random();
    let hash = preimage.hash();
    let _ = records.insert(KEYSEND_PREIMAGE, preimage.as_bytes().to_vec());
    let keysend = Keysend {
        dest,
        amount_msat: amount.0,
        hash: *hash.as_bytes(),
        records,
        fee_limit_msat: amount.0 / 20 + 10_000,
        final_cltv_delta: pay::DEFAULT_FINAL_CLTV,
        payment_request: String::new(),
        limits: Default::default(),
    };
    let mut changes = shared.lock().ledgers[sender].watch_payments();
    let hash_hex = pay::begin(shared, sender, keysend)
        .map_err(|s| SimError::Refused(s.message().to_owned()))?;
    loop {
        let (status, reason) = {
            let network = shared.lock();
            let payment = network.ledgers[sender]
                .payment(&hash_hex)
                .cloned()
                .unwrap_or_default();
            (payment.status, payment.failure_reason)
        };
        if status == payment::PaymentStatus::Succeeded as i32 {
            return Ok(hash);
        }
        if status == payment::PaymentStatus::Failed as i32 {
            let reason =
                PaymentFailureReason::try_from(reason).map_or("unknown", |r| r.as_str_name());
            return Err(SimError::PaymentFailed(reason.to_owned()));
        }
        if changes.changed().await.is_err() {
            return Err(SimError::PaymentFailed("the network stopped".into()));
        }
    }
}

/// `satchel sim`: serve until Ctrl-C, printing where the files are.
pub async fn run_standalone(config: SimConfig) -> Result<(), SimError> {
    let handle = start(config).await?;
    let alias = handle
        .nodes()
        .into_iter()
        .find(|n| n.name == USER)
        .map_or_else(|| USER.to_owned(), |n| n.alias);
    println!(
        "Satchel simulator: node \"{alias}\" ({}) at {}",
        handle.user_node(),
        handle.addr()
    );
    println!("  lnd dir:           {}", handle.lnd_dir().display());
    println!("  tls cert:          {}", handle.tls_cert_path().display());
    println!(
        "  admin macaroon:    {}",
        handle.admin_macaroon_path().display()
    );
    println!(
        "  readonly macaroon: {}",
        handle.readonly_macaroon_path().display()
    );
    println!("Other nodes:");
    for node in handle.nodes().iter().filter(|n| n.name != USER) {
        println!("{}", banner_line(node));
    }
    println!("Connect to it with:");
    println!("{}", client_commands(handle.addr(), handle.lnd_dir()));
    println!("Press Ctrl-C to stop.");
    let _ = tokio::signal::ctrl_c().await;
    handle.shutdown().await;
    Ok(())
}

/// The exact client commands for a sim at `addr` (a wildcard address is
/// reached at the loopback address) with its files in `lnd_dir`.
pub fn client_commands(addr: SocketAddr, lnd_dir: &Path) -> String {
    let ip = match addr.ip() {
        ip if !ip.is_unspecified() => ip,
        std::net::IpAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
        std::net::IpAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
    };
    let server = SocketAddr::new(ip, addr.port());
    let dir = shell_quote(&lnd_dir.display().to_string());
    let flags = format!("--lnddir {dir} --network regtest --rpcserver {server}");
    format!("  satchel {flags} info\n  lncli {flags} getinfo")
}

/// `text` as one shell word (single quotes unless it is plain).
fn shell_quote(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+:=@,".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// A node's banner line: `  <name> <id> <alias>`, then "(no keysend)" or
/// "(private)" unless the alias already says so (erin's alias does, so the
/// demo contact named after it explains itself).
fn banner_line(node: &SimNode) -> String {
    let note = match (node.accepts_keysend, node.private) {
        (false, _) => "(no keysend)",
        (true, true) => "(private)",
        (true, false) => "",
    };
    let note = if note.is_empty() || node.alias.contains(note) {
        String::new()
    } else {
        format!(" {note}")
    };
    format!("  {:<6} {} {}{note}", node.name, node.id, node.alias)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_banner_notes_each_node_once() {
        let lines: Vec<(String, String)> = NODES
            .iter()
            .filter(|n| n.name != USER)
            .map(|n| {
                let node = SimNode {
                    name: n.name.to_owned(),
                    id: graph::node_id(n.name),
                    alias: n.alias.to_owned(),
                    accepts_keysend: n.accepts_keysend,
                    private: n.private,
                };
                (n.name.to_owned(), banner_line(&node))
            })
            .collect();
        for (name, line) in &lines {
            let no_keysend = line.matches("(no keysend)").count();
            let private = line.matches("(private)").count();
            let expected = match name.as_str() {
                "erin" | "ivan" => (1, 0),
                "frank" | "kate" => (0, 1),
                _ => (0, 0),
            };
            assert_eq!((no_keysend, private), expected, "{line}");
            assert!(line.contains(&graph::node_id(name).to_hex()), "{line}");
        }
        let erin = &lines.iter().find(|(n, _)| n == "erin").unwrap().1;
        assert!(erin.ends_with("erin (no keysend)"), "{erin}");
    }

    #[test]
    fn the_banner_prints_the_exact_client_command() {
        let dir = Path::new("/tmp/my sim");
        let text = client_commands("0.0.0.0:10010".parse().unwrap(), dir);
        assert_eq!(
            text,
            "  satchel --lnddir '/tmp/my sim' --network regtest --rpcserver 127.0.0.1:10010 info\n  \
             lncli --lnddir '/tmp/my sim' --network regtest --rpcserver 127.0.0.1:10010 getinfo"
        );
        let text = client_commands("[::1]:9".parse().unwrap(), Path::new("/d"));
        assert!(text.contains("--rpcserver [::1]:9 info"), "{text}");
    }
}
