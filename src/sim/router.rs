//! `routerrpc.Router` as LND serves it: SendPaymentV2, TrackPaymentV2 and
//! EstimateRouteFee.

use futures::stream::BoxStream;
use tonic::{Request, Response, Status};

use crate::keysend::{NodeId, Records};
use crate::rpc::lnrpc::{self, PaymentFailureReason};
use crate::rpc::routerrpc::{self, router_server::Router};

use super::macaroon::Permission;
use super::pay::{self, DEFAULT_FINAL_CLTV};
use super::payments;
use super::route::{self, RouteQuery};
use super::server::NodeService;

type Reply<T> = Result<Response<T>, Status>;
type PaymentStream = BoxStream<'static, Result<lnrpc::Payment, Status>>;

/// LND: EstimateRouteFee caps the fee at 100 M sat internally.
const ESTIMATE_FEE_CAP_MSAT: u64 = 100_000_000_000;

#[tonic::async_trait]
impl Router for NodeService {
    type SendPaymentV2Stream = PaymentStream;

    async fn send_payment_v2(
        &self,
        request: Request<routerrpc::SendPaymentRequest>,
    ) -> Reply<PaymentStream> {
        self.authorize(&request, Permission::OffchainWrite)?;
        let request = request.into_inner();
        let hash_hex = if request.amp {
            let send = super::amp::validate(&self.shared.lock(), self.node, &request)?;
            super::amp::begin(&self.shared, self.node, send)?
        } else {
            let keysend = pay::validate(&self.shared.lock(), self.node, &request)?;
            pay::begin(&self.shared, self.node, keysend)?
        };
        payments::follow(self.clone(), hash_hex, request.no_inflight_updates).map(Response::new)
    }

    type TrackPaymentV2Stream = PaymentStream;

    async fn track_payment_v2(
        &self,
        request: Request<routerrpc::TrackPaymentRequest>,
    ) -> Reply<PaymentStream> {
        self.authorize(&request, Permission::OffchainRead)?;
        let request = request.into_inner();
        if request.payment_hash.len() != 32 {
            return Err(Status::invalid_argument(format!(
                "invalid hash length of {}, want 32",
                request.payment_hash.len()
            )));
        }
        payments::follow(
            self.clone(),
            hex::encode(&request.payment_hash),
            request.no_inflight_updates,
        )
        .map(Response::new)
    }

    async fn estimate_route_fee(
        &self,
        request: Request<routerrpc::RouteFeeRequest>,
    ) -> Reply<routerrpc::RouteFeeResponse> {
        self.authorize(&request, Permission::OffchainRead)?;
        let request = request.into_inner();
        if !request.payment_request.is_empty() {
            return Err(Status::unimplemented(
                "the simulator estimates keysend routes only (dest + amt_sat)",
            ));
        }
        let dest = NodeId::from_slice(&request.dest).map_err(|_| {
            Status::invalid_argument(format!(
                "invalid vertex length of {}, want 33",
                request.dest.len()
            ))
        })?;
        if request.amt_sat <= 0 {
            return Err(Status::invalid_argument("amount must be greater than zero"));
        }
        let network = self.shared.lock();
        let no_path = || Status::unknown("unable to find a path to destination");
        let to = network.node_by_id(&dest).ok_or_else(no_path)?;
        // LND: a local graph search that ignores the size of custom records.
        let records = Records::new();
        let query = RouteQuery {
            from: self.node,
            to,
            amount_msat: request.amt_sat as u64 * 1000,
            fee_limit_msat: Some(ESTIMATE_FEE_CAP_MSAT),
            records: &records,
            final_cltv_delta: DEFAULT_FINAL_CLTV,
            limits: route::Limits::default(),
        };
        let planned = route::find(&network, &query).map_err(|_| no_path())?;
        Ok(Response::new(routerrpc::RouteFeeResponse {
            routing_fee_msat: planned.total_fees_msat as i64,
            // LND: includes the block padding (3) on top of the route's time lock.
            time_lock_delay: i64::from(planned.total_time_lock - network.block_height) + 3,
            failure_reason: PaymentFailureReason::FailureReasonNone as i32,
        }))
    }
}
