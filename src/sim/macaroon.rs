//! Real macaroons, v2 binary format, as LND bakes them: the identifier is
//! LND's `MacaroonId` (version byte 3 + protobuf nonce, storage id and the
//! list of entity/actions), signed with an HMAC-SHA256 chain from a root key
//! the simulator keeps in the node directory. The server checks the header,
//! the signature and the permission of every call (research §2.13).

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use hmac::{Hmac, KeyInit, Mac};
use prost::Message as _;
use rand::TryRngCore;
use sha2::Sha256;
use tonic::Status;
use tonic::metadata::MetadataMap;

use super::{SimError, disk};

/// LND: the macaroon version byte in front of the protobuf identifier.
const ID_VERSION: u8 = 3;
/// go-macaroon: the root key is first hashed with this fixed key.
const KEY_GENERATOR: &[u8] = b"macaroons-key-generator";
/// LND's default root key id.
const STORAGE_ID: &[u8] = b"0";

/// One permission an RPC needs (LND's `entity:action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Permission {
    InfoRead,
    OffchainRead,
    OffchainWrite,
    InvoicesRead,
    InvoicesWrite,
    SignerGenerate,
    SignerRead,
    MacaroonRead,
}

impl Permission {
    fn entity_action(self) -> (&'static str, &'static str) {
        match self {
            Self::InfoRead => ("info", "read"),
            Self::OffchainRead => ("offchain", "read"),
            Self::OffchainWrite => ("offchain", "write"),
            Self::InvoicesRead => ("invoices", "read"),
            Self::InvoicesWrite => ("invoices", "write"),
            Self::SignerGenerate => ("signer", "generate"),
            Self::SignerRead => ("signer", "read"),
            Self::MacaroonRead => ("macaroon", "read"),
        }
    }
}

/// LND's `MacaroonId` protobuf.
#[derive(Clone, PartialEq, prost::Message)]
struct MacaroonId {
    #[prost(bytes = "vec", tag = "1")]
    nonce: Vec<u8>,
    #[prost(bytes = "vec", tag = "2")]
    storage_id: Vec<u8>,
    #[prost(message, repeated, tag = "3")]
    ops: Vec<Op>,
}

/// One entity and the actions allowed on it.
#[derive(Clone, PartialEq, prost::Message)]
struct Op {
    #[prost(string, tag = "1")]
    entity: String,
    #[prost(string, repeated, tag = "2")]
    actions: Vec<String>,
}

/// Entities in LND's admin macaroon and the actions it grants on each.
const ADMIN: &[(&str, &[&str])] = &[
    ("address", &["read", "write"]),
    ("info", &["read", "write"]),
    ("invoices", &["read", "write"]),
    ("macaroon", &["generate", "read", "write"]),
    ("message", &["read", "write"]),
    ("offchain", &["read", "write"]),
    ("onchain", &["read", "write"]),
    ("peers", &["read", "write"]),
    ("signer", &["generate", "read"]),
];

/// Bakes and verifies the macaroons of one node directory.
#[derive(Clone)]
pub(crate) struct Macaroons {
    root_key: [u8; 32],
}

impl Macaroons {
    /// Load the root key from the network directory, or create it and bake
    /// `admin.macaroon` and `readonly.macaroon` next to it. Existing
    /// macaroon files are kept (they stay valid with the same root key).
    pub fn load_or_create(network_dir: &Path) -> Result<Self, SimError> {
        let key_path = network_dir.join("sim-macaroon-root.key");
        let root_key = match disk::read_optional(&key_path)? {
            Some(bytes) => bytes.try_into().map_err(|_| {
                SimError::Corrupt(format!("{} is not 32 bytes", key_path.display()))
            })?,
            None => {
                let key = random_bytes();
                disk::write_private(&key_path, &key)?;
                key
            }
        };
        let macaroons = Self { root_key };
        for (path, readonly) in [
            (admin_path(network_dir), false),
            (readonly_path(network_dir), true),
        ] {
            if disk::read_optional(&path)?.is_none() {
                disk::write_private(&path, &macaroons.bake(readonly))?;
            }
        }
        Ok(macaroons)
    }

    /// A new macaroon: all of the admin permissions, or only their `read`s.
    pub fn bake(&self, readonly: bool) -> Vec<u8> {
        let ops = ADMIN
            .iter()
            .map(|(entity, actions)| Op {
                entity: (*entity).to_owned(),
                actions: actions
                    .iter()
                    .filter(|a| !readonly || **a == "read")
                    .map(|a| (*a).to_owned())
                    .collect(),
            })
            .collect();
        let id = MacaroonId {
            nonce: random_bytes().to_vec(),
            storage_id: STORAGE_ID.to_vec(),
            ops,
        };
        let mut identifier = vec![ID_VERSION];
        identifier.extend(id.encode_to_vec());
        let signature = self.signature(&identifier, &[]);
        encode_v2("lnd", &identifier, &signature)
    }

    /// Check the `macaroon` header of a call from `peer` for `permission`.
    pub fn authorize(
        &self,
        metadata: &MetadataMap,
        peer: Option<IpAddr>,
        permission: Permission,
    ) -> Result<(), Status> {
        let values: Vec<_> = metadata.get_all("macaroon").iter().collect();
        let [value] = values.as_slice() else {
            return Err(Status::unauthenticated(format!(
                "expected 1 macaroon, got {}",
                values.len()
            )));
        };
        let bytes = value
            .to_str()
            .ok()
            .and_then(|text| hex::decode(text).ok())
            .ok_or_else(|| Status::unauthenticated("unable to decode macaroon: not hex"))?;
        let identifier = self.verify(&bytes, peer).map_err(Status::unauthenticated)?;
        if grants(&identifier, permission.entity_action()) {
            Ok(())
        } else {
            Err(Status::permission_denied("permission denied"))
        }
    }

    /// LND's CheckMacaroonPermissions: `macaroon` (raw bytes) is ours, its
    /// caveats hold for `peer`, and it grants every `(entity, action)`.
    pub fn check(
        &self,
        macaroon: &[u8],
        peer: Option<IpAddr>,
        wanted: &[(&str, &str)],
    ) -> Result<(), String> {
        let identifier = self.verify(macaroon, peer)?;
        match wanted.iter().find(|op| !grants(&identifier, **op)) {
            None => Ok(()),
            Some(_) => Err("permission denied".to_owned()),
        }
    }

    /// The identifier of a valid macaroon: decoded, signed with our root
    /// key, every caveat satisfied.
    fn verify(&self, bytes: &[u8], peer: Option<IpAddr>) -> Result<Vec<u8>, String> {
        let parsed = decode_v2(bytes).map_err(|e| format!("unable to decode macaroon: {e}"))?;
        if self.signature(&parsed.identifier, &parsed.caveats) != parsed.signature {
            return Err(
                "verification failed: signature mismatch after caveat verification".to_owned(),
            );
        }
        let now = chrono::Utc::now();
        for caveat in &parsed.caveats {
            check_caveat(caveat, peer, now).map_err(|why| format!("verification failed: {why}"))?;
        }
        Ok(parsed.identifier)
    }

    /// go-macaroon: sig = HMAC(HMAC("macaroons-key-generator", root), id),
    /// then sig = HMAC(sig, caveat) for each first-party caveat.
    fn signature(&self, identifier: &[u8], caveats: &[Vec<u8>]) -> [u8; 32] {
        let key = hmac(KEY_GENERATOR, &self.root_key);
        let mut signature = hmac(&key, identifier);
        for caveat in caveats {
            signature = hmac(&signature, caveat);
        }
        signature
    }
}

/// A first-party caveat, as LND checks it: `time-before <RFC 3339 time>`
/// (lncli adds one to every call, `--macaroontimeout`) and `ipaddr <ip>`
/// (`lncli bakemacaroon --ip_address`). Any other condition is refused, as
/// LND refuses a condition it does not know.
fn check_caveat(
    caveat: &[u8],
    peer: Option<IpAddr>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), String> {
    let text = std::str::from_utf8(caveat).map_err(|_| "caveat is not text".to_owned())?;
    let (condition, arg) = text.split_once(' ').unwrap_or((text, ""));
    match condition {
        "time-before" => {
            let deadline = chrono::DateTime::parse_from_rfc3339(arg.trim())
                .map_err(|err| format!("caveat {text:?} not satisfied: bad time: {err}"))?;
            if now < deadline {
                Ok(())
            } else {
                Err("macaroon has expired".to_owned())
            }
        }
        "ipaddr" => {
            let locked: IpAddr = arg
                .trim()
                .parse()
                .map_err(|_| format!("caveat {text:?} not satisfied: bad IP address"))?;
            match peer {
                Some(ip) if ip == locked || ip.to_canonical() == locked.to_canonical() => Ok(()),
                _ => Err("macaroon locked to different IP address".to_owned()),
            }
        }
        _ => Err(format!(
            "caveat {text:?} not satisfied: caveat not recognized"
        )),
    }
}

/// Add a first-party caveat to a v2 macaroon, as `lncli` does on the client
/// side (the new signature chains from the old one; no root key needed).
pub fn add_first_party_caveat(macaroon: &[u8], caveat: &str) -> Result<Vec<u8>, &'static str> {
    let mut parsed = decode_v2(macaroon)?;
    parsed.signature = hmac(&parsed.signature, caveat.as_bytes());
    parsed.caveats.push(caveat.as_bytes().to_vec());
    Ok(encode_parsed("lnd", &parsed))
}

/// `<network dir>/admin.macaroon`.
pub(crate) fn admin_path(network_dir: &Path) -> PathBuf {
    network_dir.join("admin.macaroon")
}

/// `<network dir>/readonly.macaroon`.
pub(crate) fn readonly_path(network_dir: &Path) -> PathBuf {
    network_dir.join("readonly.macaroon")
}

/// The identifier lists `(entity, action)` among its operations.
fn grants(identifier: &[u8], (entity, action): (&str, &str)) -> bool {
    let Some((&ID_VERSION, body)) = identifier.split_first() else {
        return false;
    };
    let Ok(id) = MacaroonId::decode(body) else {
        return false;
    };
    id.ops
        .iter()
        .any(|op| op.entity == entity && op.actions.iter().any(|a| a == action))
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

fn random_bytes() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes)
        .expect("the operating system random source failed");
    bytes
}

// ---- macaroon v2 binary encoding -----------------------------------------

const FIELD_EOS: u8 = 0;
const FIELD_LOCATION: u8 = 1;
const FIELD_IDENTIFIER: u8 = 2;
const FIELD_VID: u8 = 4;
const FIELD_SIGNATURE: u8 = 6;

/// A decoded v2 macaroon (first-party caveat identifiers only).
#[derive(Debug, PartialEq)]
struct Parsed {
    identifier: Vec<u8>,
    caveats: Vec<Vec<u8>>,
    signature: [u8; 32],
}

/// Version 2, header (location, identifier), no caveats, signature.
fn encode_v2(location: &str, identifier: &[u8], signature: &[u8; 32]) -> Vec<u8> {
    let parsed = Parsed {
        identifier: identifier.to_vec(),
        caveats: Vec::new(),
        signature: *signature,
    };
    encode_parsed(location, &parsed)
}

/// Version 2: header (location, identifier), one section per first-party
/// caveat, the end of the caveats, the signature.
fn encode_parsed(location: &str, parsed: &Parsed) -> Vec<u8> {
    let mut out = vec![2];
    put_field(&mut out, FIELD_LOCATION, location.as_bytes());
    put_field(&mut out, FIELD_IDENTIFIER, &parsed.identifier);
    out.push(FIELD_EOS);
    for caveat in &parsed.caveats {
        put_field(&mut out, FIELD_IDENTIFIER, caveat);
        out.push(FIELD_EOS);
    }
    out.push(FIELD_EOS);
    put_field(&mut out, FIELD_SIGNATURE, &parsed.signature);
    out
}

fn put_field(out: &mut Vec<u8>, kind: u8, data: &[u8]) {
    out.push(kind);
    let mut len = data.len() as u64;
    while len >= 0x80 {
        out.push((len as u8) | 0x80);
        len >>= 7;
    }
    out.push(len as u8);
    out.extend_from_slice(data);
}

/// Parse the v2 binary format.
fn decode_v2(bytes: &[u8]) -> Result<Parsed, &'static str> {
    let mut reader = Reader { bytes, pos: 0 };
    if reader.byte()? != 2 {
        return Err("only version 2 macaroons are supported");
    }
    let identifier = reader.section()?.ok_or("missing identifier")?;
    let mut caveats = Vec::new();
    while reader.peek()? != FIELD_EOS {
        caveats.push(reader.section()?.ok_or("caveat without identifier")?);
    }
    reader.pos += 1;
    let (kind, signature) = reader.field()?;
    if kind != FIELD_SIGNATURE {
        return Err("missing signature");
    }
    let signature = signature
        .try_into()
        .map_err(|_| "signature is not 32 bytes")?;
    Ok(Parsed {
        identifier,
        caveats,
        signature,
    })
}

/// A cursor over the binary macaroon.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Result<u8, &'static str> {
        self.bytes.get(self.pos).copied().ok_or("truncated")
    }

    fn byte(&mut self) -> Result<u8, &'static str> {
        let byte = self.peek()?;
        self.pos += 1;
        Ok(byte)
    }

    fn field(&mut self) -> Result<(u8, Vec<u8>), &'static str> {
        let kind = self.byte()?;
        let mut len = 0usize;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            len |= usize::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                break;
            }
        }
        let end = self
            .pos
            .checked_add(len)
            .filter(|end| *end <= self.bytes.len())
            .ok_or("truncated")?;
        let data = self.bytes[self.pos..end].to_vec();
        self.pos = end;
        Ok((kind, data))
    }

    /// Fields up to an end-of-section marker; returns the identifier.
    fn section(&mut self) -> Result<Option<Vec<u8>>, &'static str> {
        let mut identifier = None;
        loop {
            if self.peek()? == FIELD_EOS {
                self.pos += 1;
                return Ok(identifier);
            }
            match self.field()? {
                (FIELD_IDENTIFIER, data) => identifier = Some(data),
                (FIELD_LOCATION, _) => {}
                (FIELD_VID, _) => return Err("third-party caveats are not supported"),
                _ => return Err("unknown field"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(bytes: &[u8]) -> MetadataMap {
        let mut map = MetadataMap::new();
        let _ = map.insert("macaroon", hex::encode(bytes).parse().unwrap());
        map
    }

    #[test]
    fn encode_decode_round_trip() {
        let encoded = encode_v2("lnd", b"id", &[7; 32]);
        let parsed = decode_v2(&encoded).unwrap();
        assert_eq!(
            parsed,
            Parsed {
                identifier: b"id".to_vec(),
                caveats: vec![],
                signature: [7; 32]
            }
        );
        assert_eq!(decode_v2(&encoded[..encoded.len() - 1]), Err("truncated"));
    }

    #[test]
    fn admin_and_readonly_permissions() {
        let macaroons = Macaroons { root_key: [1; 32] };
        let admin = header(&macaroons.bake(false));
        let readonly = header(&macaroons.bake(true));
        assert!(
            macaroons
                .authorize(&admin, None, Permission::OffchainWrite)
                .is_ok()
        );
        assert!(
            macaroons
                .authorize(&readonly, None, Permission::InfoRead)
                .is_ok()
        );
        let denied = macaroons
            .authorize(&readonly, None, Permission::OffchainWrite)
            .unwrap_err();
        assert_eq!(denied.code(), tonic::Code::PermissionDenied);
        let denied = macaroons
            .authorize(&readonly, None, Permission::SignerGenerate)
            .unwrap_err();
        assert_eq!(denied.code(), tonic::Code::PermissionDenied);
    }

    #[test]
    fn foreign_or_missing_macaroon_is_unauthenticated() {
        let ours = Macaroons { root_key: [1; 32] };
        let theirs = Macaroons { root_key: [2; 32] };
        let foreign = header(&theirs.bake(false));
        let status = ours
            .authorize(&foreign, None, Permission::InfoRead)
            .unwrap_err();
        assert_eq!(status.code(), tonic::Code::Unauthenticated);
        assert!(
            status.message().contains("signature mismatch"),
            "{}",
            status.message()
        );
        let status = ours
            .authorize(&MetadataMap::new(), None, Permission::InfoRead)
            .unwrap_err();
        assert_eq!(status.code(), tonic::Code::Unauthenticated);
        assert_eq!(status.message(), "expected 1 macaroon, got 0");
    }

    #[test]
    fn time_before_and_ipaddr_caveats_are_honoured_as_lnd_does() {
        let macaroons = Macaroons { root_key: [1; 32] };
        let admin = macaroons.bake(false);
        let local: IpAddr = "127.0.0.1".parse().unwrap();
        let elsewhere: IpAddr = "10.1.2.3".parse().unwrap();
        let later = (chrono::Utc::now() + chrono::Duration::seconds(60))
            .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
        let check = |caveats: &[&str], peer: IpAddr| {
            let mut bytes = admin.clone();
            for caveat in caveats {
                bytes = add_first_party_caveat(&bytes, caveat).unwrap();
            }
            macaroons
                .authorize(&header(&bytes), Some(peer), Permission::InfoRead)
                .map_err(|status| (status.code(), status.message().to_owned()))
        };
        let unauthenticated = |why: &str| {
            Err((
                tonic::Code::Unauthenticated,
                format!("verification failed: {why}"),
            ))
        };
        let lncli = format!("time-before {later}");
        assert_eq!(check(&[&lncli], local), Ok(()), "what lncli adds");
        assert_eq!(
            check(&["time-before 2020-01-01T00:00:00Z"], local),
            unauthenticated("macaroon has expired")
        );
        assert_eq!(check(&["ipaddr 127.0.0.1", &lncli], local), Ok(()));
        assert_eq!(
            check(&["ipaddr 127.0.0.1"], elsewhere),
            unauthenticated("macaroon locked to different IP address")
        );
        assert_eq!(
            check(&["color red"], local),
            unauthenticated("caveat \"color red\" not satisfied: caveat not recognized")
        );
        let mut forged = add_first_party_caveat(&admin, "ipaddr 127.0.0.1").unwrap();
        let at = forged.windows(9).position(|w| w == b"127.0.0.1").unwrap();
        forged[at..at + 9].copy_from_slice(b"10.1.2.3 ");
        let status = macaroons
            .authorize(&header(&forged), Some(elsewhere), Permission::InfoRead)
            .unwrap_err();
        assert!(
            status.message().contains("signature mismatch"),
            "{status:?}"
        );
    }
}
