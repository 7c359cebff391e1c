//! `signrpc.Signer` as LND serves it: ECDSA with the node key
//! (key family 6, index 0), single SHA-256 unless `double_hash`, 64-byte
//! compact R||S; verification against an explicit public key.

use secp256k1::{Message, PublicKey, SECP256K1, ecdsa};
use sha2::{Digest, Sha256};
use tonic::{Request, Response, Status};

use crate::rpc::signrpc::{self, signer_server::Signer};

use super::macaroon::Permission;
use super::server::NodeService;

type Reply<T> = Result<Response<T>, Status>;

/// LND: the node identity key family.
const NODE_KEY_FAMILY: i32 = 6;

#[tonic::async_trait]
impl Signer for NodeService {
    async fn sign_message(
        &self,
        request: Request<signrpc::SignMessageReq>,
    ) -> Reply<signrpc::SignMessageResp> {
        self.authorize(&request, Permission::SignerGenerate)?;
        let request = request.into_inner();
        let location = request.key_loc.unwrap_or_default();
        if (location.key_family, location.key_index) != (NODE_KEY_FAMILY, 0) {
            return Err(Status::unimplemented(
                "the simulator signs with the node key only (key family 6, index 0)",
            ));
        }
        if request.schnorr_sig || request.compact_sig {
            return Err(Status::unimplemented(
                "the simulator makes ECDSA wire signatures only",
            ));
        }
        let digest = digest(&request.msg, request.double_hash);
        let secret = self.shared.lock().keys[self.node];
        let signature = SECP256K1.sign_ecdsa(&Message::from_digest(digest), &secret);
        Ok(Response::new(signrpc::SignMessageResp {
            signature: signature.serialize_compact().to_vec(),
        }))
    }

    async fn verify_message(
        &self,
        request: Request<signrpc::VerifyMessageReq>,
    ) -> Reply<signrpc::VerifyMessageResp> {
        self.authorize(&request, Permission::SignerRead)?;
        let request = request.into_inner();
        if request.is_schnorr_sig {
            return Err(Status::unimplemented(
                "the simulator verifies ECDSA signatures only",
            ));
        }
        let public = PublicKey::from_slice(&request.pubkey)
            .map_err(|e| Status::invalid_argument(format!("unable to parse pubkey: {e}")))?;
        let signature = ecdsa::Signature::from_compact(&request.signature)
            .or_else(|_| ecdsa::Signature::from_der(&request.signature))
            .map_err(|e| Status::invalid_argument(format!("unable to parse signature: {e}")))?;
        let message = Message::from_digest(digest(&request.msg, false));
        let valid = SECP256K1
            .verify_ecdsa(&message, &signature, &public)
            .is_ok();
        Ok(Response::new(signrpc::VerifyMessageResp { valid }))
    }
}

/// SHA-256, or SHA-256 twice.
fn digest(message: &[u8], double: bool) -> [u8; 32] {
    let once: [u8; 32] = Sha256::digest(message).into();
    if double {
        Sha256::digest(once).into()
    } else {
        once
    }
}
