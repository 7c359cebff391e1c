//! `lnrpc.Lightning` as LND serves it, for one node of the network.

use futures::stream::BoxStream;
use sha2::{Digest, Sha256};
use tonic::{Request, Response, Status};

use crate::keysend::NodeId;
use crate::rpc::lnrpc::{self, lightning_server::Lightning, payment};

use super::graph::{self, NODES};
use super::invoices;
use super::macaroon::Permission;
use super::network::Network;
use super::pay::{self, DEFAULT_FINAL_CLTV};
use super::route::{self, RouteQuery};
use super::server::NodeService;
use super::{convert, version};

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl Lightning for NodeService {
    async fn get_info(
        &self,
        request: Request<lnrpc::GetInfoRequest>,
    ) -> Reply<lnrpc::GetInfoResponse> {
        self.authorize(&request, Permission::InfoRead)?;
        let network = self.shared.lock();
        Ok(Response::new(info(&network, self.node)))
    }

    #[allow(deprecated)] // LND still fills its deprecated fields.
    async fn channel_balance(
        &self,
        request: Request<lnrpc::ChannelBalanceRequest>,
    ) -> Reply<lnrpc::ChannelBalanceResponse> {
        self.authorize(&request, Permission::OffchainRead)?;
        let network = self.shared.lock();
        let (local, remote) = network.balances(self.node);
        let unsettled = in_flight_msat(&network, self.node);
        Ok(Response::new(lnrpc::ChannelBalanceResponse {
            balance: (local / 1000) as i64,
            pending_open_balance: 0,
            local_balance: Some(convert::amount(local)),
            remote_balance: Some(convert::amount(remote)),
            unsettled_local_balance: Some(convert::amount(unsettled)),
            unsettled_remote_balance: Some(convert::amount(0)),
            pending_open_local_balance: Some(convert::amount(0)),
            pending_open_remote_balance: Some(convert::amount(0)),
        }))
    }

    async fn get_node_info(
        &self,
        request: Request<lnrpc::NodeInfoRequest>,
    ) -> Reply<lnrpc::NodeInfo> {
        self.authorize(&request, Permission::InfoRead)?;
        let id: NodeId = request
            .get_ref()
            .pub_key
            .parse()
            .map_err(|e| Status::invalid_argument(format!("invalid pub_key: {e}")))?;
        let network = self.shared.lock();
        match network.node_by_id(&id) {
            Some(index) if !NODES[index].private => {
                Ok(Response::new(convert::node_info(&network, index)))
            }
            // LND: a node that is not in the graph (private or unknown).
            _ => Err(Status::not_found("unable to find node")),
        }
    }

    async fn list_channels(
        &self,
        request: Request<lnrpc::ListChannelsRequest>,
    ) -> Reply<lnrpc::ListChannelsResponse> {
        self.authorize(&request, Permission::OffchainRead)?;
        let filter = request.into_inner();
        let network = self.shared.lock();
        let channels = graph::channels_of(self.node)
            .into_iter()
            .filter(|&(c, peer, _)| {
                // Every sim channel is active, so `inactive_only` lists none.
                let kind_wanted = match (filter.public_only, filter.private_only) {
                    (true, _) => !graph::CHANNELS[c].private,
                    (_, true) => graph::CHANNELS[c].private,
                    _ => true,
                };
                let peer_wanted =
                    filter.peer.is_empty() || filter.peer == network.ids[peer].as_bytes();
                !filter.inactive_only && kind_wanted && peer_wanted
            })
            .map(|(c, peer, is_a)| convert::channel(&network, c, peer, is_a))
            .collect();
        Ok(Response::new(lnrpc::ListChannelsResponse { channels }))
    }

    async fn list_invoices(
        &self,
        request: Request<lnrpc::ListInvoiceRequest>,
    ) -> Reply<lnrpc::ListInvoiceResponse> {
        self.authorize(&request, Permission::InvoicesRead)?;
        let network = self.shared.lock();
        invoices::list(&network.ledgers[self.node], request.get_ref()).map(Response::new)
    }

    async fn lookup_invoice(&self, request: Request<lnrpc::PaymentHash>) -> Reply<lnrpc::Invoice> {
        self.authorize(&request, Permission::InvoicesRead)?;
        let query = request.into_inner();
        #[allow(deprecated)]
        let hash = if query.r_hash.is_empty() {
            hex::decode(&query.r_hash_str)
                .map_err(|_| Status::invalid_argument("r_hash_str is not hex"))?
        } else {
            query.r_hash
        };
        if hash.len() != 32 {
            return Err(Status::invalid_argument(format!(
                "invalid hash length of {}, want 32",
                hash.len()
            )));
        }
        let network = self.shared.lock();
        network.ledgers[self.node]
            .invoice_by_hash(&hash)
            .map(|i| Response::new(convert::invoice(i)))
            .ok_or_else(|| Status::not_found("there are no existing invoices"))
    }

    async fn add_invoice(
        &self,
        request: Request<lnrpc::Invoice>,
    ) -> Reply<lnrpc::AddInvoiceResponse> {
        self.authorize(&request, Permission::InvoicesWrite)?;
        let added = super::bolt11::add(&mut self.shared.lock(), self.node, request.get_ref())?;
        self.shared.mark_dirty();
        Ok(Response::new(added))
    }

    type SubscribeInvoicesStream = BoxStream<'static, Result<lnrpc::Invoice, Status>>;

    async fn subscribe_invoices(
        &self,
        request: Request<lnrpc::InvoiceSubscription>,
    ) -> Reply<Self::SubscribeInvoicesStream> {
        self.authorize(&request, Permission::InvoicesRead)?;
        Ok(Response::new(invoices::subscribe(
            self.clone(),
            request.into_inner(),
        )))
    }

    async fn list_payments(
        &self,
        request: Request<lnrpc::ListPaymentsRequest>,
    ) -> Reply<lnrpc::ListPaymentsResponse> {
        self.authorize(&request, Permission::OffchainRead)?;
        let network = self.shared.lock();
        Ok(Response::new(super::payments::list(
            &network.ledgers[self.node],
            request.get_ref(),
        )))
    }

    async fn query_routes(
        &self,
        request: Request<lnrpc::QueryRoutesRequest>,
    ) -> Reply<lnrpc::QueryRoutesResponse> {
        self.authorize(&request, Permission::InfoRead)?;
        let query = request.into_inner();
        let network = self.shared.lock();
        query_routes(&network, self.node, &query).map(Response::new)
    }

    /// LND: needs `macaroon:read`; a macaroon that does not grant every
    /// permission asked about is an InvalidArgument error, not `valid: false`.
    async fn check_macaroon_permissions(
        &self,
        request: Request<lnrpc::CheckMacPermRequest>,
    ) -> Reply<lnrpc::CheckMacPermResponse> {
        self.authorize(&request, Permission::MacaroonRead)?;
        let peer = request.remote_addr().map(|addr| addr.ip());
        let asked = request.into_inner();
        let wanted: Vec<(&str, &str)> = asked
            .permissions
            .iter()
            .map(|p| (p.entity.as_str(), p.action.as_str()))
            .collect();
        self.macaroons()
            .check(&asked.macaroon, peer, &wanted)
            .map_err(Status::invalid_argument)?;
        Ok(Response::new(lnrpc::CheckMacPermResponse { valid: true }))
    }
}

/// GetInfo for node `index`.
fn info(network: &Network, index: usize) -> lnrpc::GetInfoResponse {
    let spec = &NODES[index];
    let id = network.ids[index].to_hex();
    let channels = graph::channels_of(index).len() as u32;
    let block_hash = hex::encode(Sha256::digest(network.block_height.to_be_bytes()));
    #[allow(deprecated)]
    lnrpc::GetInfoResponse {
        uris: if spec.private {
            Vec::new()
        } else {
            vec![format!("{id}@127.0.0.1:{}", 9735 + index)]
        },
        identity_pubkey: id,
        alias: spec.alias.to_owned(),
        num_pending_channels: 0,
        num_active_channels: channels,
        num_peers: channels,
        block_height: network.block_height,
        block_hash,
        synced_to_chain: true,
        testnet: false,
        best_header_timestamp: pay::now_ns() / 1_000_000_000 - 42,
        version: version::VERSION.to_owned(),
        num_inactive_channels: 0,
        chains: vec![lnrpc::Chain {
            chain: "bitcoin".to_owned(),
            network: "regtest".to_owned(),
        }],
        color: spec.color.to_owned(),
        synced_to_graph: true,
        features: convert::node_features(index),
        commit_hash: version::COMMIT.to_owned(),
    }
}

/// Sum of the node's in-flight outgoing HTLCs.
fn in_flight_msat(network: &Network, node: usize) -> u64 {
    network.ledgers[node]
        .payments()
        .values()
        .filter(|p| p.status == payment::PaymentStatus::InFlight as i32)
        .filter_map(|p| p.htlcs.last().and_then(|a| a.route.as_ref()))
        .map(|r| r.total_amt_msat as u64)
        .sum()
}

/// QueryRoutes: the route SendPaymentV2 would take, counting the records.
fn query_routes(
    network: &Network,
    node: usize,
    query: &lnrpc::QueryRoutesRequest,
) -> Result<lnrpc::QueryRoutesResponse, Status> {
    let to: NodeId = query
        .pub_key
        .parse()
        .map_err(|e| Status::invalid_argument(format!("invalid pub_key: {e}")))?;
    let from = match query.source_pub_key.as_str() {
        "" => node,
        key => key
            .parse()
            .ok()
            .and_then(|id| network.node_by_id(&id))
            .ok_or_else(|| Status::not_found("source node not found"))?,
    };
    let amount_msat = pay::exclusive_msat(query.amt, query.amt_msat)?;
    if amount_msat == 0 {
        return Err(Status::invalid_argument("amount must be greater than zero"));
    }
    let records = pay::custom_records(&query.dest_custom_records)?;
    let fee_limit_msat = query
        .fee_limit
        .as_ref()
        .and_then(|f| f.limit)
        .map(|limit| match limit {
            lnrpc::fee_limit::Limit::Fixed(sat) => sat.max(0) as u64 * 1000,
            lnrpc::fee_limit::Limit::FixedMsat(msat) => msat.max(0) as u64,
            lnrpc::fee_limit::Limit::Percent(percent) => amount_msat * percent.max(0) as u64 / 100,
        });
    let no_path = || Status::unknown("unable to find a path to destination");
    let to = network.node_by_id(&to).ok_or_else(no_path)?;
    let final_cltv_delta = match query.final_cltv_delta {
        0 => DEFAULT_FINAL_CLTV,
        d => d.unsigned_abs(),
    };
    let route_query = RouteQuery {
        from,
        to,
        amount_msat,
        fee_limit_msat,
        records: &records,
        final_cltv_delta,
        limits: route::Limits {
            ignored_pairs: super::behaviour::ignored_pairs(network, &query.ignored_pairs),
            ..route::Limits::default()
        },
    };
    let planned = route::find(network, &route_query).map_err(|_| no_path())?;
    let success_prob = 0.95f64.powi(planned.hops.len() as i32);
    Ok(lnrpc::QueryRoutesResponse {
        routes: vec![convert::route(network, &planned, &records)],
        success_prob,
    })
}
