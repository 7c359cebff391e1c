//! What a typed recipient is, before anything is fetched: a Lightning
//! Address (LUD-16), an `lnurl1…` bech32 string or `lnurlp://` URL
//! (LUD-01/17), or a BOLT11 invoice, each possibly behind `lightning:`.
//! Pubkeys and contact names are not ours: [`Target::parse`] says `None`.

use bech32::primitives::decode::CheckedHrpstring;
use bech32::{Bech32, Fe32};

use super::bolt11::{Bolt11Error, Invoice};
use crate::keysend::text::display_safe;

/// A recipient Satchel resolves over the web or decodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `user@domain`, normalised to lower case.
    Address(Address),
    /// An LNURL, decoded to its URL.
    Lnurl(String),
    /// A BOLT11 invoice and its text (lower case, no prefix).
    Invoice(Box<Invoice>, String),
}

/// A Lightning Address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub user: String,
    /// Host, with `:port` when one was given.
    pub domain: String,
}

/// Why a typed recipient that looks like ours cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error(
        "{0:?} is not a Lightning Address: the name may hold only a-z, 0-9, '-', '_', '.' and '+'"
    )]
    BadUser(String),
    #[error(
        "{0:?} is not a Lightning Address: the domain is not a plain host name (internationalised domains must be typed in their xn-- form)"
    )]
    BadDomain(String),
    #[error("not a valid LNURL: {0}")]
    BadLnurl(String),
    #[error("{0}")]
    Invoice(#[from] Bolt11Error),
}

impl Address {
    /// Where LUD-16 serves the pay request.
    pub fn lnurlp_url(&self) -> String {
        format!(
            "{}://{}/.well-known/lnurlp/{}",
            scheme(&self.domain),
            self.domain,
            self.user
        )
    }

    /// Where the keysend document lives (`/.well-known/keysend/<user>`).
    pub fn keysend_url(&self) -> String {
        format!(
            "{}://{}/.well-known/keysend/{}",
            scheme(&self.domain),
            self.domain,
            self.user
        )
    }
}

impl std::fmt::Display for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}", self.user, self.domain)
    }
}

/// LUD-17: `.onion` hosts are reached over http (Tor encrypts); so are
/// loopback hosts, which only tests use.
fn scheme(domain: &str) -> &'static str {
    let host = host_of(domain);
    match host.ends_with(".onion") {
        true => "http",
        false => "https",
    }
}

/// `example.com:8443` -> `example.com`; `[::1]:80` -> `[::1]`.
fn host_of(domain: &str) -> &str {
    match domain.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) && !host.ends_with(':') => {
            host
        }
        _ => domain,
    }
}

impl Target {
    /// Read `text`; `None` when it is none of ours (a pubkey, a contact name).
    pub fn parse(text: &str) -> Option<Result<Self, TargetError>> {
        let text = text.trim();
        let bare = strip_scheme(text);
        let lower = bare.to_ascii_lowercase();
        if lower.starts_with("lnurl1") {
            return Some(decode_lnurl(bare).map(Self::Lnurl));
        }
        if let Some(rest) = lower.strip_prefix("lnurlp://") {
            return Some(Ok(Self::Lnurl(format!(
                "{}://{rest}",
                scheme(rest.split('/').next().unwrap_or(""))
            ))));
        }
        if looks_like_invoice(&lower) {
            return Some(
                Invoice::decode(bare)
                    .map(|i| Self::Invoice(Box::new(i), lower.clone()))
                    .map_err(TargetError::from),
            );
        }
        let (user, domain) = bare.split_once('@')?;
        Some(parse_address(user, domain).map(Self::Address))
    }
}

/// `lightning:` (any case), as in QR codes and links.
fn strip_scheme(text: &str) -> &str {
    match text.get(..10) {
        Some(head) if head.eq_ignore_ascii_case("lightning:") => &text[10..],
        _ => text,
    }
}

/// `lnbc…`, `lntb…`, `lnbcrt…`, `lntbs…`: a BOLT11 prefix and a separator.
fn looks_like_invoice(lower: &str) -> bool {
    ["lnbc", "lntb", "lnsb", "lntbs", "lnbcrt"]
        .iter()
        .any(|prefix| lower.starts_with(prefix))
        && lower.contains('1')
}

/// LUD-16: the name is `a-z0-9-_.+`; upper case is folded (people type
/// `Alice@Example.com`), anything else is refused, unicode included.
fn parse_address(user: &str, domain: &str) -> Result<Address, TargetError> {
    let shown = || display_safe(&format!("{user}@{domain}"), 80);
    let user = user.to_ascii_lowercase();
    let user_ok = !user.is_empty()
        && user.len() <= 64
        && user
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.+".contains(&b));
    if !user_ok {
        return Err(TargetError::BadUser(shown()));
    }
    let domain = domain.to_ascii_lowercase();
    let host = host_of(&domain);
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && !host.starts_with(['.', '-'])
        && host
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-.".contains(&b))
        && (host.contains('.') || host == "localhost");
    if !host_ok {
        return Err(TargetError::BadDomain(shown()));
    }
    Ok(Address { user, domain })
}

/// LUD-01: bech32 with the `lnurl` prefix, no length limit, holding a URL.
fn decode_lnurl(text: &str) -> Result<String, TargetError> {
    let checked =
        CheckedHrpstring::new::<Bech32>(text).map_err(|e| TargetError::BadLnurl(e.to_string()))?;
    if checked.hrp().to_lowercase() != "lnurl" {
        return Err(TargetError::BadLnurl("the prefix is not \"lnurl\"".into()));
    }
    let fes: Vec<u8> = checked
        .fe32_iter::<std::iter::Empty<u8>>()
        .map(Fe32::to_u8)
        .collect();
    let bytes = super::bolt11::fes_to_bytes_exact(&fes);
    String::from_utf8(bytes).map_err(|_| TargetError::BadLnurl("it does not hold text".into()))
}

/// Encode `url` as an `lnurl1…` string (upper case, as LUD-01 shows it).
pub fn encode_lnurl(url: &str) -> String {
    let hrp = bech32::Hrp::parse("lnurl").expect("valid prefix");
    bech32::encode::<Bech32>(hrp, url.as_bytes())
        .expect("a URL fits in a bech32 string")
        .to_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(text: &str) -> Result<Address, TargetError> {
        match Target::parse(text) {
            Some(Ok(Target::Address(a))) => Ok(a),
            Some(Err(e)) => Err(e),
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn addresses_are_normalised_or_refused() {
        let alice = address("  Alice@Example.COM ").unwrap();
        assert_eq!(alice.to_string(), "alice@example.com");
        assert_eq!(
            alice.keysend_url(),
            "https://example.com/.well-known/keysend/alice"
        );
        assert_eq!(
            alice.lnurlp_url(),
            "https://example.com/.well-known/lnurlp/alice"
        );
        let onion = address("lightning:bob@abcdef.onion").unwrap();
        assert_eq!(
            onion.lnurlp_url(),
            "http://abcdef.onion/.well-known/lnurlp/bob"
        );
        let local = address("tips+pod@localhost:8443").unwrap();
        assert_eq!(
            local.keysend_url(),
            "https://localhost:8443/.well-known/keysend/tips+pod"
        );
        for bad in [
            "ålice@example.com",
            "a b@example.com",
            "@example.com",
            "a/b@example.com",
        ] {
            assert!(
                matches!(address(bad), Err(TargetError::BadUser(_))),
                "{bad}"
            );
        }
        for bad in [
            "alice@exämple.com",
            "alice@example",
            "alice@",
            "alice@ex ample.com",
            "alice@.com",
        ] {
            assert!(
                matches!(address(bad), Err(TargetError::BadDomain(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn pubkeys_and_names_are_not_ours() {
        assert_eq!(Target::parse("alice"), None);
        assert_eq!(
            Target::parse("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"),
            None
        );
    }

    #[test]
    fn lnurls_decode_to_their_url() {
        let url = "https://service.com/api?q=3fc3645b439ce8e7f2553a69e5267081d96dcd340693afabe04be7b0ccd178df";
        let encoded = encode_lnurl(url);
        assert!(encoded.starts_with("LNURL1"), "{encoded}");
        assert_eq!(Target::parse(&encoded), Some(Ok(Target::Lnurl(url.into()))));
        let lower = format!("lightning:{}", encoded.to_lowercase());
        assert_eq!(Target::parse(&lower), Some(Ok(Target::Lnurl(url.into()))));
        let broken = format!("{}x", &encoded[..encoded.len() - 1]);
        assert!(matches!(
            Target::parse(&broken),
            Some(Err(TargetError::BadLnurl(_)))
        ));
        assert_eq!(
            Target::parse("lnurlp://example.com/p/1"),
            Some(Ok(Target::Lnurl("https://example.com/p/1".into())))
        );
    }

    #[test]
    fn invoices_are_decoded_and_bad_ones_refused() {
        let key = secp256k1::SecretKey::from_slice(&[2; 32]).unwrap();
        let new = super::super::bolt11::NewInvoice {
            currency: "bcrt",
            amount: None,
            timestamp: 1,
            payment_hash: crate::keysend::PaymentHash::from_bytes([1; 32]),
            payment_secret: [0; 32],
            description: "x",
            description_hash: None,
            expiry_secs: 60,
            min_final_cltv: 18,
        };
        let text = super::super::bolt11::encode(&new, &key);
        let upper = format!("LIGHTNING:{}", text.to_uppercase());
        assert!(matches!(Target::parse(&upper), Some(Ok(Target::Invoice(_, t))) if t == text));
        assert!(matches!(
            Target::parse("lnbc1qqqq"),
            Some(Err(TargetError::Invoice(_)))
        ));
    }
}
