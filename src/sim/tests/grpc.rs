//! Connection, TLS, macaroons, node info and fault injection.

use tonic::Code;

use super::{admin, admin_sim, connect_with, sim};
use crate::rpc::lnrpc::{ChannelBalanceRequest, InvoiceSubscription, ListChannelsRequest};
use crate::rpc::signrpc::{KeyLocator, SignMessageReq, VerifyMessageReq};

/// A request to sign `msg` with the node key (LND: key family 6, index 0).
fn sign_request(msg: &[u8]) -> SignMessageReq {
    SignMessageReq {
        msg: msg.to_vec(),
        key_loc: Some(KeyLocator {
            key_family: 6,
            key_index: 0,
        }),
        ..Default::default()
    }
}

#[tokio::test]
async fn get_info_over_pinned_tls_with_admin_macaroon() {
    let dir = tempfile::tempdir().unwrap();
    let handle = sim(dir.path(), 0).await;
    assert!(handle.tls_cert_path().exists() && handle.readonly_macaroon_path().exists());
    let mut client = admin(&handle).await;
    let info = client.info().await.unwrap();
    assert_eq!(info.identity_pubkey, handle.user_node().to_hex());
    assert_eq!(info.alias, "Satchel demo");
    assert_eq!(info.chains[0].network, "regtest");
    assert_eq!(info.features[&55].name, "keysend");
    assert!(info.synced_to_chain && info.synced_to_graph);
    assert_eq!(info.num_active_channels, 3);
    handle.shutdown().await;
}

#[tokio::test]
async fn macaroons_are_checked_per_method() {
    let dir = tempfile::tempdir().unwrap();
    let handle = sim(dir.path(), 0).await;
    let mut none = connect_with(&handle, None).await;
    let status = none.info().await.unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
    assert_eq!(status.message(), "expected 1 macaroon, got 0");

    let other_dir = tempfile::tempdir().unwrap();
    let other = sim(other_dir.path(), 0).await;
    let mut foreign = connect_with(&handle, Some(&other.admin_macaroon_path())).await;
    let status = foreign.info().await.unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);

    let mut readonly = connect_with(&handle, Some(&handle.readonly_macaroon_path())).await;
    assert!(
        readonly
            .lightning
            .channel_balance(ChannelBalanceRequest {})
            .await
            .is_ok()
    );
    let (request, _) = super::keysend(handle.node_id("alice").unwrap(), 10, Default::default());
    let status = readonly.router.send_payment_v2(request).await.unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    let sign = sign_request(b"hi");
    assert_eq!(
        readonly.signer.sign_message(sign).await.unwrap_err().code(),
        Code::PermissionDenied
    );
    other.shutdown().await;
    handle.shutdown().await;
}

#[tokio::test]
async fn graph_lookups_balances_and_channels() {
    let (_dir, handle, mut client) = admin_sim(0).await;
    let grace = handle.node_id("grace").unwrap().to_hex();
    let node = client.node_info(grace).await.unwrap();
    assert_eq!(node.node.as_ref().unwrap().alias, "Grace builds FOSS");
    assert_eq!(node.node.unwrap().features[&55].name, "keysend");
    let erin = handle.node_id("erin").unwrap().to_hex();
    let erin = client.node_info(erin).await.unwrap();
    assert!(!erin.node.unwrap().features.contains_key(&55));
    let frank = handle.node_id("frank").unwrap().to_hex();
    let status = client.node_info(frank).await.unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    let balance = client.balance().await;
    assert_eq!(
        balance.local_balance.unwrap().sat,
        2_000_000 + 6_000_000 + 700_000
    );
    assert_eq!(
        balance.remote_balance.unwrap().sat,
        3_000_000 + 4_000_000 + 300_000
    );
    let channels = client
        .lightning
        .list_channels(ListChannelsRequest::default())
        .await
        .unwrap()
        .into_inner()
        .channels;
    assert_eq!(channels.len(), 3);
    assert_eq!(channels.iter().filter(|c| c.private).count(), 1);
    assert!(
        channels
            .iter()
            .all(|c| c.channel_point.ends_with(":0") && c.chan_id > 0)
    );
    handle.shutdown().await;
}

#[tokio::test]
async fn signer_signs_with_the_node_key() {
    let (_dir, handle, mut client) = admin_sim(0).await;
    let message = b"satchel".to_vec();
    let sign = sign_request(&message);
    let signature = client
        .signer
        .sign_message(sign)
        .await
        .unwrap()
        .into_inner()
        .signature;
    assert_eq!(signature.len(), 64);
    let pubkey = handle.user_node().as_bytes().to_vec();
    let verify = VerifyMessageReq {
        msg: message,
        signature: signature.clone(),
        pubkey: pubkey.clone(),
        ..Default::default()
    };
    assert!(
        client
            .signer
            .verify_message(verify)
            .await
            .unwrap()
            .into_inner()
            .valid
    );
    let tampered = VerifyMessageReq {
        msg: b"satchel!".to_vec(),
        signature,
        pubkey,
        ..Default::default()
    };
    assert!(
        !client
            .signer
            .verify_message(tampered)
            .await
            .unwrap()
            .into_inner()
            .valid
    );
    handle.shutdown().await;
}

#[tokio::test]
async fn disabling_connections_ends_streams_and_refuses_calls() {
    let (_dir, handle, mut client) = admin_sim(0).await;
    let mut stream = client
        .lightning
        .subscribe_invoices(InvoiceSubscription::default())
        .await
        .unwrap()
        .into_inner();
    handle.set_connections_enabled(false);
    let ended = tokio::time::timeout(std::time::Duration::from_secs(5), stream.message())
        .await
        .unwrap();
    assert_eq!(ended.unwrap_err().code(), Code::Unavailable);
    let refused = client.info().await.unwrap_err();
    assert_eq!(refused.code(), Code::Unavailable);
    handle.set_connections_enabled(true);
    let mut again = admin(&handle).await;
    assert!(again.info().await.is_ok());
    handle.shutdown().await;
}
