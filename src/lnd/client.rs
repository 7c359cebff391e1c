//! The connection to one LND node: a TLS gRPC channel with the pinned
//! certificate and the macaroon header on every call, shared by the
//! Lightning, Router and Signer clients. The [`Node`](crate::node::Node)
//! operations are in `calls`.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tonic::metadata::AsciiMetadataValue;
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, ClientTlsConfig, Endpoint};
use tonic::{Request, Response, Status};

use super::connect::{ConnectSpec, Macaroon};
use super::error::{self, CallContext};
use super::socks::{self, Route, SocksConnector};
use super::tls;
use crate::node::{Node, NodeError};
use crate::rpc::lnrpc::lightning_client::LightningClient;
use crate::rpc::routerrpc::router_client::RouterClient;
use crate::rpc::signrpc::signer_client::SignerClient;

/// How long to wait for TCP + TLS + HTTP/2 to come up.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The same through a SOCKS proxy that is not Tor (one more hop).
const PROXY_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a single request/response call may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(60);
/// Largest message accepted. tonic's default (4 MiB) is too small for big
/// invoice pages; lncli itself allows 200 MiB.
const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;
/// HTTP/2 pings while a stream is open, to notice a dead connection. LND
/// accepts pings no more often than every 5 s (`grpc.client-ping-min-wait`)
/// and, by default, none without an open stream: so no idle pings.
const KEEPALIVE: Duration = Duration::from_secs(30);

type Authed = InterceptedService<Channel, MacaroonHeader>;

/// A connected LND node. Cheap to clone: clones share one connection.
#[derive(Clone)]
pub struct Lnd {
    pub(super) lightning: LightningClient<Authed>,
    pub(super) router: RouterClient<Authed>,
    pub(super) signer: SignerClient<Authed>,
    address: Arc<str>,
    /// Kept to ask the node what it allows (CheckMacaroonPermissions).
    macaroon: Arc<Macaroon>,
}

/// Adds the `macaroon` metadata header (hex, as LND expects) to each call.
#[derive(Clone)]
pub(super) struct MacaroonHeader(AsciiMetadataValue);

impl Interceptor for MacaroonHeader {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        let _ = request.metadata_mut().insert("macaroon", self.0.clone());
        Ok(request)
    }
}

/// Connect to the node and call `GetInfo` once, so a wrong certificate or
/// macaroon fails here with the matching [`NodeError`].
pub async fn connect(spec: &ConnectSpec) -> Result<Lnd, NodeError> {
    crate::install_crypto_provider();
    let route = route(spec).await?;
    let channel = open_channel(spec, &route).await?;
    let lnd = Lnd::new(channel, &spec.macaroon, spec.address())?;
    let _info = lnd.info().await?;
    Ok(lnd)
}

impl Lnd {
    fn new(channel: Channel, macaroon: &Macaroon, address: String) -> Result<Self, NodeError> {
        let header = AsciiMetadataValue::try_from(macaroon.to_hex())
            .map_err(|err| NodeError::Invalid(format!("macaroon header: {err}")))?;
        let authed = InterceptedService::new(channel, MacaroonHeader(header));
        Ok(Self {
            lightning: LightningClient::new(authed.clone())
                .max_decoding_message_size(MAX_MESSAGE_BYTES),
            router: RouterClient::new(authed.clone()).max_decoding_message_size(MAX_MESSAGE_BYTES),
            signer: SignerClient::new(authed).max_decoding_message_size(MAX_MESSAGE_BYTES),
            address: address.into(),
            macaroon: Arc::new(macaroon.clone()),
        })
    }

    /// `host:port` of the node.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The macaroon this connection presents.
    pub(super) fn macaroon(&self) -> &Macaroon {
        &self.macaroon
    }

    /// The error context for a call of `method`.
    pub(super) fn context(&self, method: &'static str) -> CallContext {
        CallContext::new(method, &self.address)
    }
}

impl std::fmt::Debug for Lnd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lnd")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

/// How `spec`'s node is reached: its proxy, the system's Tor for an onion
/// host, or directly.
pub async fn route(spec: &ConnectSpec) -> Result<Route, NodeError> {
    Route::find(&spec.host, spec.proxy.as_ref())
        .await
        .map_err(|failure| error::from_socks(&failure))
}

/// How long connecting may take on `route`.
pub fn connect_timeout(route: &Route) -> Duration {
    match route {
        Route::Direct => CONNECT_TIMEOUT,
        Route::Socks { tor: true, .. } => socks::TOR_CONNECT_TIMEOUT,
        Route::Socks { tor: false, .. } => PROXY_CONNECT_TIMEOUT,
    }
}

/// Open the TLS channel, pinning the certificate from the spec, directly or
/// through the route's SOCKS proxy.
async fn open_channel(spec: &ConnectSpec, route: &Route) -> Result<Channel, NodeError> {
    let ctx = CallContext::new("connect", &spec.address());
    let verifier = tls::verifier_for(&spec.cert)?;
    let timeout = connect_timeout(route);
    let tls_config = ClientTlsConfig::new().timeout(timeout);
    let endpoint = Endpoint::from_shared(spec.uri())
        .map_err(|err| {
            NodeError::Invalid(format!("{} is not a valid address: {err}", spec.address()))
        })?
        .tls_config_with_verifier(tls_config, verifier)
        .map_err(|err| NodeError::BadCertificate(err.to_string()))?
        .connect_timeout(timeout)
        .http2_keep_alive_interval(KEEPALIVE)
        .keep_alive_timeout(keep_alive_timeout(route));
    let connecting = async {
        match route {
            Route::Direct => endpoint.connect().await,
            Route::Socks { proxy, .. } => {
                let connector = SocksConnector {
                    proxy: proxy.clone(),
                    host: spec.host.clone(),
                    port: spec.port,
                    timeout,
                };
                endpoint.connect_with_connector(connector).await
            }
        }
    };
    // Margin over the connector's own limit, so its specific error wins.
    let limit = timeout * 2;
    match tokio::time::timeout(limit, connecting).await {
        Ok(Ok(channel)) => Ok(channel),
        Ok(Err(err)) => Err(error::from_transport(&err, &ctx)),
        Err(_) => Err(error::connect_timed_out(&ctx, limit.as_secs())),
    }
}

/// How long a keep-alive ping may stay unanswered: Tor's round trips are
/// seconds long and a circuit can stall for a while before it recovers.
fn keep_alive_timeout(route: &Route) -> Duration {
    match route {
        Route::Direct => Duration::from_secs(20),
        Route::Socks { .. } => Duration::from_secs(60),
    }
}

/// Run one request/response call with a time limit and typed errors.
pub(super) async fn unary<T>(
    ctx: CallContext,
    call: impl Future<Output = Result<Response<T>, Status>>,
) -> Result<T, NodeError> {
    match tokio::time::timeout(CALL_TIMEOUT, call).await {
        Ok(Ok(response)) => Ok(response.into_inner()),
        Ok(Err(status)) => Err(error::from_status(&status, &ctx)),
        Err(_) => Err(NodeError::Timeout),
    }
}
