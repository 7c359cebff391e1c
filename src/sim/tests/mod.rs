//! Simulator tests over real gRPC + TLS + macaroons, driven by the generated
//! tonic client: the same wire path LND clients take.

mod gate;
mod grpc;
mod invoices;
mod payments;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

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
use crate::rpc::routerrpc::SendPaymentRequest;
use crate::rpc::routerrpc::router_client::RouterClient;
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
