//! Simulator tests over real gRPC + TLS + macaroons, driven by the generated
//! tonic client: the same wire path LND clients take.

mod bolt11;
mod gate;
mod grpc;
mod invoices;
mod payments;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use tonic::metadata::AsciiMetadataValue;
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, ClientTlsConfig};

use crate::keysend::record::KEYSEND_PREIMAGE;
use crate::keysend::{NodeId, Preimage, Records};
use crate::lnd::PinnedCert;
use crate::rpc::lnrpc::lightning_client::LightningClient;
use crate::rpc::lnrpc::{
    ChannelBalanceRequest, ChannelBalanceResponse, GetInfoRequest, GetInfoResponse, Invoice,
    ListInvoiceRequest, ListInvoiceResponse, ListPaymentsRequest, ListPaymentsResponse, NodeInfo,
    NodeInfoRequest, Payment, PaymentHash,
};
use crate::rpc::routerrpc::router_client::RouterClient;
use crate::rpc::routerrpc::{SendPaymentRequest, TrackPaymentRequest};
use crate::rpc::signrpc::signer_client::SignerClient;

use super::{SimConfig, SimHandle};

/// Adds the `macaroon` header (hex), like LND clients do.
#[derive(Clone)]
pub(super) struct MacaroonHeader(Option<AsciiMetadataValue>);

impl Interceptor for MacaroonHeader {
    fn call(
        &mut self,
        mut request: tonic::Request<()>,
    ) -> Result<tonic::Request<()>, tonic::Status> {
        if let Some(value) = &self.0 {
            let _ = request.metadata_mut().insert("macaroon", value.clone());
        }
        Ok(request)
    }
}

type Authed = InterceptedService<Channel, MacaroonHeader>;

/// The three LND services over one pinned-TLS channel.
pub(super) struct Client {
    pub lightning: LightningClient<Authed>,
    pub router: RouterClient<Authed>,
    pub signer: SignerClient<Authed>,
}

/// Connect to a served node with the given macaroon file (or none).
pub(super) async fn connect_with(handle: &SimHandle, macaroon: Option<&Path>) -> Client {
    crate::install_crypto_provider();
    let der = CertificateDer::from_pem_file(handle.tls_cert_path()).expect("tls.cert is PEM");
    let channel = Channel::from_shared(format!("https://localhost:{}", handle.addr().port()))
        .unwrap()
        .tls_config_with_verifier(
            ClientTlsConfig::new(),
            Arc::new(PinnedCert::new(der.to_vec())),
        )
        .unwrap()
        .connect_timeout(Duration::from_secs(5))
        .connect()
        .await
        .expect("TLS connection to the sim");
    let header = MacaroonHeader(
        macaroon.map(|path| hex::encode(std::fs::read(path).unwrap()).parse().unwrap()),
    );
    Client {
        lightning: LightningClient::with_interceptor(channel.clone(), header.clone()),
        router: RouterClient::with_interceptor(channel.clone(), header.clone()),
        signer: SignerClient::with_interceptor(channel, header),
    }
}

/// Connect with the admin macaroon.
pub(super) async fn admin(handle: &SimHandle) -> Client {
    connect_with(handle, Some(&handle.admin_macaroon_path())).await
}

/// A sim in a fresh temporary directory with a short payment latency.
pub(super) async fn sim(dir: &Path, seed_history: usize) -> SimHandle {
    let mut config = SimConfig::new(dir);
    config.seed_history = seed_history;
    config.payment_latency = Duration::from_millis(50);
    super::start(config).await.expect("sim starts")
}

/// A sim seeded with `seed_history` keysends and an admin client to it; the
/// temporary folder lives as long as the returned guard.
pub(super) async fn admin_sim(seed_history: usize) -> (tempfile::TempDir, SimHandle, Client) {
    let dir = tempfile::tempdir().unwrap();
    let handle = sim(dir.path(), seed_history).await;
    let client = admin(&handle).await;
    (dir, handle, client)
}

/// Every update of a payment stream until it ends (at most 10 s).
async fn updates(stream: tonic::Streaming<Payment>) -> Vec<Payment> {
    let all = tokio::time::timeout(Duration::from_secs(10), stream.collect::<Vec<_>>())
        .await
        .unwrap();
    all.into_iter().map(|u| u.unwrap()).collect()
}

/// The calls the tests make again and again, unwrapped where they must succeed.
impl Client {
    /// `SendPaymentV2`, then every update until the payment ends.
    pub(super) async fn pay(&mut self, request: SendPaymentRequest) -> Vec<Payment> {
        let stream = self.router.send_payment_v2(request).await.unwrap();
        updates(stream.into_inner()).await
    }

    /// `TrackPaymentV2` for `hash`, then every update until the payment ends.
    pub(super) async fn track(&mut self, hash: &[u8], no_inflight_updates: bool) -> Vec<Payment> {
        let request = TrackPaymentRequest {
            payment_hash: hash.to_vec(),
            no_inflight_updates,
        };
        updates(
            self.router
                .track_payment_v2(request)
                .await
                .unwrap()
                .into_inner(),
        )
        .await
    }

    /// `GetInfo`.
    pub(super) async fn info(&mut self) -> Result<GetInfoResponse, tonic::Status> {
        Ok(self
            .lightning
            .get_info(GetInfoRequest {})
            .await?
            .into_inner())
    }

    /// `ListPayments` for one page.
    pub(super) async fn payments(&mut self, page: ListPaymentsRequest) -> ListPaymentsResponse {
        self.lightning
            .list_payments(page)
            .await
            .unwrap()
            .into_inner()
    }

    /// `ChannelBalance`.
    pub(super) async fn balance(&mut self) -> ChannelBalanceResponse {
        let request = ChannelBalanceRequest {};
        self.lightning
            .channel_balance(request)
            .await
            .unwrap()
            .into_inner()
    }

    /// `ListInvoices` for one page.
    pub(super) async fn invoices(&mut self, page: ListInvoiceRequest) -> ListInvoiceResponse {
        self.lightning
            .list_invoices(page)
            .await
            .unwrap()
            .into_inner()
    }

    /// `LookupInvoice` by payment hash.
    pub(super) async fn lookup(&mut self, r_hash: &[u8]) -> Result<Invoice, tonic::Status> {
        let request = PaymentHash {
            r_hash: r_hash.to_vec(),
            ..Default::default()
        };
        let response = self.lightning.lookup_invoice(request).await?;
        Ok(response.into_inner())
    }

    /// `GetNodeInfo` for a hex public key.
    pub(super) async fn node_info(&mut self, pub_key: String) -> Result<NodeInfo, tonic::Status> {
        let request = NodeInfoRequest {
            pub_key,
            ..Default::default()
        };
        Ok(self.lightning.get_node_info(request).await?.into_inner())
    }
}

/// A keysend request with a fresh preimage, `records` and a fee limit.
pub(super) fn keysend(
    dest: NodeId,
    amount_sat: i64,
    mut records: Records,
) -> (SendPaymentRequest, Preimage) {
    let preimage = Preimage::random();
    let _ = records.insert(KEYSEND_PREIMAGE, preimage.as_bytes().to_vec());
    let request = SendPaymentRequest {
        dest: dest.as_bytes().to_vec(),
        amt: amount_sat,
        payment_hash: preimage.hash().as_bytes().to_vec(),
        fee_limit_sat: 100,
        timeout_seconds: 60,
        dest_custom_records: records.into_iter().collect(),
        ..SendPaymentRequest::default()
    };
    (request, preimage)
}
