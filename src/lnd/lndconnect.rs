//! lndconnect URIs: `lndconnect://host:port?cert=<base64url DER>&macaroon=<base64url>`.
//!
//! lndconnect (LN-Zap): `cert` is the base64url (no padding) of the
//! certificate's DER bytes and may be absent for a CA-signed node;
//! `macaroon` is the base64url of the raw macaroon file. Producers vary, so
//! padded and standard base64 are accepted too, and the port defaults to 10009.

use base64::Engine;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use super::connect::{
    AddressError, CertSource, ConnectSpec, DEFAULT_PORT, Macaroon, pem_to_der, split_host_port,
};

/// Why a text is not a usable lndconnect URI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LndConnectError {
    #[error("this is not an lndconnect link (it should start with lndconnect://)")]
    NotLndConnect,
    #[error("the lndconnect link has no host")]
    MissingHost,
    #[error("the lndconnect link has an invalid port: {0:?}")]
    BadPort(String),
    #[error("the lndconnect link has no macaroon; ask for a link that includes one")]
    MissingMacaroon,
    /// The decoder's own words (shown rephrased).
    #[error(
        "the certificate in the lndconnect link is not valid base64 (cert=: {}); it must be the \
         certificate's DER bytes encoded as base64url without padding (A-Z a-z 0-9 - _)",
        explain_decoder(.0)
    )]
    BadCertBase64(String),
    /// The decoder's own words (shown rephrased).
    #[error(
        "the macaroon in the lndconnect link is not valid base64 (macaroon=: {}); it must be the \
         macaroon file's bytes encoded as base64url without padding (A-Z a-z 0-9 - _)",
        explain_decoder(.0)
    )]
    BadMacaroonBase64(String),
    #[error("the certificate in the lndconnect link is not a DER certificate: {0}")]
    CertNotDer(String),
    /// `cert=` is there but empty: a link that was cut or built wrong. Only
    /// a link without any `cert` parameter means "a CA-signed node".
    #[error(
        "the lndconnect link has an empty cert= parameter; copy the whole link again (a link \
         without any cert parameter is for a node with a CA-signed certificate)"
    )]
    EmptyCert,
    /// A parameter given twice: which one counts is not ours to guess.
    #[error("the lndconnect link has {0}= more than once; copy the link again")]
    Repeated(&'static str),
}

const SCHEME: &str = "lndconnect://";

/// What a link without a `cert` parameter means, said to the user whenever
/// one is used (the CLI on stderr, the Connect screen under the link).
pub const NO_CERT_NOTE: &str = "note: this lndconnect link has no cert parameter, so the node's \
     certificate is not pinned: it is checked against this system's trusted certificate \
     authorities, as a website's would be. A node with LND's own self-signed tls.cert needs a \
     link that includes cert=.";

/// Standard alphabet, padding optional: URL-safe input is mapped onto it first.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

impl ConnectSpec {
    /// Parse an lndconnect URI.
    pub fn from_lndconnect(uri: &str) -> Result<Self, LndConnectError> {
        let uri = uri.trim();
        let rest = strip_scheme(uri).ok_or(LndConnectError::NotLndConnect)?;
        let (authority, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (host, port) = parse_authority(authority.trim_end_matches('/'))?;
        let (mut cert, mut macaroon) = (None, None);
        for pair in query.split('&') {
            // `cert` alone (no `=`) is a cert parameter with an empty value.
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            // Parameter names are matched without regard to case: `Cert=`
            // must never be skipped (that would drop the pin).
            let slot = match key.to_ascii_lowercase().as_str() {
                "cert" => (&mut cert, "cert"),
                "macaroon" => (&mut macaroon, "macaroon"),
                _ => continue, // lndconnect allows extra parameters; they are not ours.
            };
            if slot.0.replace(value).is_some() {
                return Err(LndConnectError::Repeated(slot.1));
            }
        }
        let macaroon = macaroon
            .filter(|m| !m.is_empty())
            .ok_or(LndConnectError::MissingMacaroon)?;
        let macaroon = decode_base64(macaroon).map_err(LndConnectError::BadMacaroonBase64)?;
        if macaroon.is_empty() {
            return Err(LndConnectError::MissingMacaroon);
        }
        let cert = match cert.map(str::trim) {
            Some("") => return Err(LndConnectError::EmptyCert),
            Some(text) => parse_cert(text)?,
            None => CertSource::SystemRoots,
        };
        Ok(Self {
            host,
            port: port.unwrap_or(DEFAULT_PORT),
            cert,
            macaroon: Macaroon::new(macaroon),
            proxy: None,
        })
    }

    /// Write this spec as an lndconnect URI (base64url, no padding). A PEM
    /// certificate that does not parse is left out.
    pub fn to_lndconnect(&self) -> String {
        let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut uri = format!("{SCHEME}{}?", self.address());
        if let Ok(Some(der)) = self.cert.der() {
            uri.push_str(&format!("cert={}&", url.encode(der)));
        }
        uri.push_str(&format!(
            "macaroon={}",
            url.encode(self.macaroon.as_bytes())
        ));
        uri
    }
}

fn strip_scheme(uri: &str) -> Option<&str> {
    let head = uri.get(..SCHEME.len())?;
    head.eq_ignore_ascii_case(SCHEME)
        .then(|| &uri[SCHEME.len()..])
}

fn parse_authority(authority: &str) -> Result<(String, Option<u16>), LndConnectError> {
    split_host_port(authority).map_err(|err| match err {
        AddressError::MissingHost => LndConnectError::MissingHost,
        AddressError::BadPort => {
            let port = authority
                .rsplit_once(':')
                .map_or(authority, |(_, port)| port);
            LndConnectError::BadPort(port.to_owned())
        }
    })
}

/// Decode base64 in any of its common spellings: URL-safe or standard,
/// padded or not, percent-encoded or with `+` turned into a space.
pub(crate) fn decode_base64(text: &str) -> Result<Vec<u8>, String> {
    let normal: String = percent_decode(text)
        .chars()
        .filter(|c| !matches!(c, '\r' | '\n' | '\t'))
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            ' ' => '+',
            other => other,
        })
        .collect();
    LENIENT.decode(normal).map_err(|err| err.to_string())
}

/// The base64 decoder's message (`Invalid symbol 37, offset 0.`) in plain
/// words; a message of another shape is shown as it is.
fn explain_decoder(raw: &str) -> String {
    let symbol = |rest: &str| -> Option<(String, usize)> {
        let (byte, offset) = rest.trim_end_matches('.').split_once(", offset ")?;
        let byte: u8 = byte.parse().ok()?;
        let offset: usize = offset.parse().ok()?;
        let shown = match byte.is_ascii_graphic() {
            true => format!("{:?}", char::from(byte)),
            false => format!("byte {byte:#04x}"),
        };
        Some((shown, offset + 1))
    };
    if let Some((shown, at)) = raw.strip_prefix("Invalid last symbol ").and_then(symbol) {
        return format!(
            "{shown} at character {at} cannot end it; the value looks cut short or mistyped"
        );
    }
    if let Some((shown, at)) = raw.strip_prefix("Invalid symbol ").and_then(symbol) {
        return format!("{shown} at character {at} is not a base64url character");
    }
    if raw.starts_with("Invalid input length") {
        return "its length is impossible for base64; the value looks cut short".to_owned();
    }
    if raw.starts_with("Invalid padding") {
        return "its '=' padding is wrong".to_owned();
    }
    raw.to_owned()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = bytes
            .get(i + 1..i + 3)
            .and_then(|hex| u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok());
        match (bytes[i], escaped) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_cert(text: &str) -> Result<CertSource, LndConnectError> {
    let bytes = decode_base64(text).map_err(LndConnectError::BadCertBase64)?;
    // Some producers put the whole PEM text in the link: its body must pass
    // the same checks as DER given directly.
    let der = if bytes.starts_with(b"-----BEGIN") {
        pem_to_der(&bytes).map_err(|err| LndConnectError::CertNotDer(pem_refused(&err.0)))?
    } else {
        bytes
    };
    check_certificate(&der).map_err(LndConnectError::CertNotDer)?;
    Ok(CertSource::Der(der))
}

/// The reason for a PEM text that holds no certificate (capped, made safe:
/// the parser may quote the link's bytes).
fn pem_refused(reason: &str) -> String {
    let reason = crate::keysend::text::display_safe(reason, PEM_REASON_CHARS);
    format!("it is PEM text without a readable certificate ({reason})")
}

/// Longest PEM parser reason quoted back.
const PEM_REASON_CHARS: usize = 120;

/// An X.509 certificate's outer structure: one SEQUENCE holding exactly
/// tbsCertificate (SEQUENCE), signatureAlgorithm (SEQUENCE) and
/// signatureValue (BIT STRING), every length consistent.
fn check_certificate(bytes: &[u8]) -> Result<(), String> {
    check_der_sequence(bytes)?;
    let (_, body, _) = read_tlv(bytes)?;
    let mut rest = body;
    for (want, name) in [
        (0x30, "tbsCertificate"),
        (0x30, "signatureAlgorithm"),
        (0x03, "signatureValue"),
    ] {
        let (tag, _, after) = read_tlv(rest)
            .map_err(|why| format!("it is not an X.509 certificate ({name}: {why})"))?;
        if tag != want {
            return Err(format!(
                "it is not an X.509 certificate ({name} has tag {tag:#04x}, expected {want:#04x})"
            ));
        }
        rest = after;
    }
    if !rest.is_empty() {
        return Err(format!(
            "it is not an X.509 certificate ({} bytes after signatureValue)",
            rest.len()
        ));
    }
    Ok(())
}

/// A DER certificate is one SEQUENCE whose length covers exactly the rest.
fn check_der_sequence(bytes: &[u8]) -> Result<(), String> {
    let (&tag, _) = bytes.split_first().ok_or("it is empty")?;
    if tag != 0x30 {
        return Err(format!(
            "it starts with byte {tag:#04x}, not a DER SEQUENCE (0x30)"
        ));
    }
    let (_, body, rest) = read_tlv(bytes)?;
    if !rest.is_empty() {
        return Err(format!(
            "its length says {} bytes but {} follow",
            body.len(),
            body.len() + rest.len()
        ));
    }
    Ok(())
}

/// One DER element: (tag, contents, what follows it).
fn read_tlv(bytes: &[u8]) -> Result<(u8, &[u8], &[u8]), String> {
    let (&tag, rest) = bytes.split_first().ok_or("it is empty")?;
    let (&first, rest) = rest.split_first().ok_or("it is truncated")?;
    let (length, rest) = match first {
        0..=0x7f => (usize::from(first), rest),
        0x81..=0x84 => {
            let count = usize::from(first & 0x7f);
            let digits = rest.get(..count).ok_or("it is truncated")?;
            let length = digits
                .iter()
                .fold(0usize, |acc, &d| (acc << 8) | usize::from(d));
            if digits[0] == 0 || length < 0x80 {
                return Err("its length field is not in DER's shortest form".into());
            }
            (length, &rest[count..])
        }
        _ => return Err("its length field is invalid".into()),
    };
    if length > rest.len() {
        return Err(format!(
            "its length says {length} bytes but {} follow",
            rest.len()
        ));
    }
    let (body, after) = rest.split_at(length);
    Ok((tag, body, after))
}

#[cfg(test)]
#[path = "lndconnect_tests.rs"]
mod tests;
