//! BOLT11 invoices in the simulator, as LND handles them: AddInvoice makes
//! an OPEN invoice signed with the node's key; SendPaymentV2 with a
//! `payment_request` pays its payee for its hash (the amount from the
//! invoice, or `amt` for a zero-amount one), and the HTLC settles the open
//! invoice at the destination with the invoice's preimage.

use tonic::Status;

use crate::keysend::{Msat, PaymentHash, Preimage};
use crate::payto::bolt11::{self, Invoice, NewInvoice};
use crate::rpc::lnrpc;
use crate::rpc::routerrpc::SendPaymentRequest;

use super::ledger::{Arrival, StoredInvoice};
use super::network::Network;
use super::pay::{self, Keysend};

/// The sim runs on regtest (GetInfo says so): `lnbcrt` invoices.
const CURRENCY: &str = "bcrt";
/// LND: `expiry` 0 means 86400 s.
const DEFAULT_EXPIRY: i64 = 86_400;
/// LND's default `cltv_expiry` for new invoices.
const INVOICE_CLTV: u64 = 80;

/// AddInvoice on node `node`: a new OPEN invoice and its payment request.
pub(crate) fn add(
    network: &mut Network,
    node: usize,
    request: &lnrpc::Invoice,
) -> Result<lnrpc::AddInvoiceResponse, Status> {
    let value_msat = pay::exclusive_msat(request.value, request.value_msat)?;
    let description_hash: Option<[u8; 32]> = match request.description_hash.len() {
        0 => None,
        32 => request.description_hash.as_slice().try_into().ok(),
        n => {
            return Err(Status::invalid_argument(format!(
                "description hash is {n} bytes, must be 32"
            )));
        }
    };
    let preimage = match request.r_preimage.len() {
        0 => Preimage::random(),
        _ => Preimage::from_slice(&request.r_preimage)
            .ok_or_else(|| Status::invalid_argument("payment preimage must be exactly 32 bytes"))?,
    };
    let expiry = match request.expiry {
        0 => DEFAULT_EXPIRY,
        e => e,
    };
    let now = pay::now_ns() / 1_000_000_000;
    let hash = preimage.hash();
    let secret: [u8; 32] = rand::random();
    let payment_request = bolt11::encode(
        &NewInvoice {
            currency: CURRENCY,
            amount: (value_msat > 0).then_some(Msat(value_msat)),
            timestamp: now as u64,
            payment_hash: hash,
            payment_secret: secret,
            description: &request.memo,
            description_hash,
            expiry_secs: expiry as u64,
            min_final_cltv: INVOICE_CLTV,
        },
        &network.keys[node],
    );
    if network.ledgers[node]
        .invoice_by_hash(hash.as_bytes())
        .is_some()
    {
        return Err(Status::already_exists(
            "invoice with payment hash already exists",
        ));
    }
    let add_index = network.ledgers[node].add_open(StoredInvoice {
        r_hash: hash.as_bytes().to_vec(),
        r_preimage: preimage.as_bytes().to_vec(),
        value_msat: value_msat as i64,
        creation_date: now,
        payment_request: payment_request.clone(),
        memo: request.memo.clone(),
        expiry,
        ..StoredInvoice::default()
    });
    Ok(lnrpc::AddInvoiceResponse {
        r_hash: hash.as_bytes().to_vec(),
        payment_request,
        add_index,
        payment_addr: secret.to_vec(),
    })
}

/// SendPaymentV2 with a payment request, checked the way LND's router does.
pub(crate) fn validate(
    network: &Network,
    sender: usize,
    request: &SendPaymentRequest,
) -> Result<Keysend, Status> {
    let invoice = Invoice::decode(&request.payment_request)
        .map_err(|e| Status::invalid_argument(format!("invalid payment request: {e}")))?;
    let now = (pay::now_ns() / 1_000_000_000) as u64;
    if invoice.is_expired(now) {
        return Err(Status::invalid_argument("invoice expired"));
    }
    let typed = pay::exclusive_msat(request.amt, request.amt_msat)?;
    let amount_msat = match (invoice.amount, typed) {
        (Some(_), t) if t != 0 => {
            return Err(Status::invalid_argument(
                "amount must not be specified when paying a non-zero amount invoice",
            ));
        }
        (Some(own), _) => own.0,
        (None, 0) => {
            return Err(Status::invalid_argument(
                "amount must be specified when paying a zero amount invoice",
            ));
        }
        (None, t) => t,
    };
    let dest = network.node_by_id(&invoice.payee);
    if dest == Some(sender) && !request.allow_self_payment {
        return Err(Status::invalid_argument("no self-payments allowed"));
    }
    Ok(Keysend {
        dest: dest.unwrap_or(usize::MAX),
        amount_msat,
        hash: *invoice.payment_hash.as_bytes(),
        records: pay::custom_records(&request.dest_custom_records)?,
        fee_limit_msat: pay::exclusive_msat(request.fee_limit_sat, request.fee_limit_msat)?,
        final_cltv_delta: invoice.min_final_cltv as u32,
        payment_request: request.payment_request.clone(),
        limits: pay::limits(network, request)?,
    })
}

/// The preimage of node `dest`'s OPEN, unexpired invoice `hash_hex` when
/// `amount_msat` pays it in full (LND: less is refused).
pub(crate) fn open_preimage(
    network: &Network,
    dest: usize,
    hash_hex: &str,
    amount_msat: u64,
) -> Option<[u8; 32]> {
    let hash = hex::decode(hash_hex).ok()?;
    let invoice = network.ledgers.get(dest)?.invoice_by_hash(&hash)?;
    let now = pay::now_ns() / 1_000_000_000;
    let open = invoice.state == 0
        && !invoice.payment_request.is_empty()
        && now < invoice.creation_date + invoice.expiry
        && amount_msat >= invoice.value_msat as u64;
    open.then(|| invoice.r_preimage.as_slice().try_into().ok())
        .flatten()
}

/// Settle an arriving HTLC at `dest`: its open invoice, or a keysend.
pub(crate) fn settle(network: &mut Network, dest: usize, arrival: Arrival, now: i64) {
    let ledger = &mut network.ledgers[dest];
    if !ledger.settle_open(&arrival.hash, arrival.htlc.clone(), now) {
        let _ = ledger.settle_keysend(arrival, now);
    }
}

/// For tests and the demo: node `node` adds an invoice, returns its text.
pub(crate) fn add_simple(
    network: &mut Network,
    node: usize,
    amount: Option<Msat>,
    memo: &str,
    description_hash: Option<[u8; 32]>,
) -> Result<(String, PaymentHash), Status> {
    let request = lnrpc::Invoice {
        memo: memo.to_owned(),
        value_msat: amount.map_or(0, |a| a.0 as i64),
        description_hash: description_hash.map(|h| h.to_vec()).unwrap_or_default(),
        ..lnrpc::Invoice::default()
    };
    let response = add(network, node, &request)?;
    let hash = PaymentHash::from_slice(&response.r_hash).expect("32 bytes");
    Ok((response.payment_request, hash))
}
