//! The LND adapter connecting to the simulator over TLS gRPC: good and bad
//! certificates, macaroons and addresses, lndconnect and discovery, and the
//! node's identity, balance, graph and channels.

mod lnd_support;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use lnd_support::{Sim, connect_admin, id, keysend, spec_for, start, within};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use satchel::keysend::{Msat, NodeId};
use satchel::lnd::{self, ConnectSpec};
use satchel::node::{Feature, Network, Node, NodeError, Permissions};

async fn connect(spec: &ConnectSpec) -> Result<lnd::Lnd, NodeError> {
    within(lnd::connect(spec)).await
}

#[tokio::test]
async fn reads_our_node_info_and_balance() {
    let sim = start().await;
    let node = connect_admin(&sim.handle).await;
    let info = within(node.info()).await.unwrap();
    assert_eq!(info.id, sim.handle.user_node());
    assert_eq!(info.alias, "Satchel demo");
    assert_eq!(info.color, "#f7931a");
    assert_eq!(info.network, Network::Regtest);
    assert!(info.accepts_keysend);
    assert_eq!(info.active_channels, 3);

    // Channels: alice 2,000,000 / 3,000,000, bob 6,000,000 / 4,000,000,
    // frank 700,000 / 300,000 sat (local / remote).
    let balance = within(node.balance()).await.unwrap();
    assert_eq!(balance.local, Msat::from_sat(8_700_000));
    assert_eq!(balance.remote, Msat::from_sat(7_300_000));
    assert_eq!(balance.unsettled_local, Msat::ZERO);
}

#[tokio::test]
async fn lists_peers_and_looks_nodes_up() {
    let sim = start().await;
    let node = connect_admin(&sim.handle).await;
    let mut peers = within(node.peers()).await.unwrap();
    peers.sort_by_key(|p| p.chan_id);
    let ids: Vec<NodeId> = peers.iter().map(|p| p.id).collect();
    assert_eq!(
        ids,
        vec![id(&sim, "alice"), id(&sim, "bob"), id(&sim, "frank")]
    );
    assert_eq!(peers[0].capacity, Msat::from_sat(5_000_000));
    assert_eq!(
        (peers[2].private, peers[2].local),
        (true, Msat::from_sat(700_000))
    );

    let alice = within(node.lookup(id(&sim, "alice")))
        .await
        .unwrap()
        .expect("alice is public");
    assert_eq!(alice.alias, "Alice's node");
    assert!(alice.accepts_keysend);
    let erin = within(node.lookup(id(&sim, "erin")))
        .await
        .unwrap()
        .expect("erin is public");
    assert!(!erin.accepts_keysend);
    let frank = within(node.lookup(id(&sim, "frank"))).await.unwrap();
    assert_eq!(frank, None, "a private node is not in the graph");
}

#[tokio::test]
async fn a_different_certificate_is_a_mismatch() {
    let sim = start().await;
    let other = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let cert_path = sim.dir.path().join("other.cert");
    std::fs::write(&cert_path, other.cert.pem()).unwrap();
    let address = format!("localhost:{}", sim.handle.addr().port());
    let spec =
        ConnectSpec::from_files(&address, &cert_path, sim.handle.admin_macaroon_path()).unwrap();
    assert_eq!(
        connect(&spec).await.unwrap_err(),
        NodeError::CertificateMismatch
    );
}

#[tokio::test]
async fn a_foreign_or_garbage_macaroon_is_rejected() {
    let sim = start().await;
    let bob = sim
        .handle
        .serve_node("bob", sim.dir.path().join("bob"))
        .await
        .unwrap();
    let foreign = spec_for(&sim.handle, &bob.admin_macaroon_path());
    assert_eq!(
        connect(&foreign).await.unwrap_err(),
        NodeError::MacaroonRejected
    );

    let garbage_path = sim.dir.path().join("garbage.macaroon");
    std::fs::write(&garbage_path, b"\x02\x01not a macaroon").unwrap();
    let garbage = spec_for(&sim.handle, &garbage_path);
    assert_eq!(
        connect(&garbage).await.unwrap_err(),
        NodeError::MacaroonRejected
    );
}

#[tokio::test]
async fn a_readonly_macaroon_reads_but_cannot_send() {
    let sim = start().await;
    let spec = spec_for(&sim.handle, &sim.handle.readonly_macaroon_path());
    let node = connect(&spec).await.expect("readonly can call GetInfo");
    assert_eq!(
        within(node.info()).await.unwrap().id,
        sim.handle.user_node()
    );
    let outcome =
        lnd_support::outcome(node.send(keysend(id(&sim, "alice"), 10, Default::default()))).await;
    assert_eq!(
        outcome,
        Err(NodeError::PermissionDenied("SendPaymentV2".into()))
    );
}

/// At connect, the node says which features the macaroon leaves off
/// (CheckMacaroonPermissions, one call per feature).
#[tokio::test]
async fn the_macaroons_missing_permissions_are_named() {
    let sim = start().await;
    let admin = connect_admin(&sim.handle).await;
    assert_eq!(
        within(admin.permissions()).await.unwrap(),
        Permissions::Checked { missing: vec![] }
    );
    let spec = spec_for(&sim.handle, &sim.handle.readonly_macaroon_path());
    let readonly = connect(&spec).await.unwrap();
    let permissions = within(readonly.permissions()).await.unwrap();
    assert_eq!(
        permissions,
        Permissions::Checked {
            missing: vec![Feature::Send, Feature::Sign]
        }
    );
    let advice = permissions.advice().unwrap();
    assert!(advice.contains("sending tips"), "{advice}");
    assert!(advice.contains("lncli bakemacaroon"), "{advice}");
}

#[tokio::test]
async fn a_closed_port_is_unreachable() {
    let sim = start().await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let mut spec = spec_for(&sim.handle, &sim.handle.admin_macaroon_path());
    spec.host = "127.0.0.1".into();
    spec.port = port;
    match connect(&spec).await.unwrap_err() {
        NodeError::Unreachable { address, detail } => {
            assert_eq!(address, format!("127.0.0.1:{port}"));
            assert!(!detail.is_empty());
        }
        other => panic!("expected Unreachable, got {other:?}"),
    }
}

#[tokio::test]
async fn an_lndconnect_uri_from_the_sims_files_connects() {
    let sim = start().await;
    let der = CertificateDer::from_pem_file(sim.handle.tls_cert_path()).unwrap();
    let macaroon = std::fs::read(sim.handle.admin_macaroon_path()).unwrap();
    let uri = format!(
        "lndconnect://127.0.0.1:{}?cert={}&macaroon={}",
        sim.handle.addr().port(),
        URL_SAFE_NO_PAD.encode(der.as_ref()),
        URL_SAFE_NO_PAD.encode(&macaroon)
    );
    let spec = ConnectSpec::from_lndconnect(&uri).unwrap();
    let node = connect(&spec).await.expect("lndconnect spec connects");
    assert_eq!(
        within(node.info()).await.unwrap().id,
        sim.handle.user_node()
    );
    assert_eq!(
        ConnectSpec::from_lndconnect(&spec.to_lndconnect()).unwrap(),
        spec
    );
}

#[tokio::test]
async fn discovery_in_the_sims_directory_connects() {
    let Sim { handle, dir: _dir } = start().await;
    let mut spec = lnd::discover_in(handle.lnd_dir(), Some("regtest")).unwrap();
    assert_eq!((spec.host.as_str(), spec.port), ("localhost", 10009));
    spec.port = handle.addr().port(); // the sim listens on a free port, not 10009
    let node = connect(&spec).await.expect("discovered spec connects");
    assert_eq!(within(node.info()).await.unwrap().id, handle.user_node());
    let any = lnd::discover_in(handle.lnd_dir(), None).unwrap();
    assert_eq!(
        any.macaroon, spec.macaroon,
        "regtest is the only network there"
    );
}
