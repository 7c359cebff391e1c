//! TLS towards LND: pin the node's exact certificate.
//!
//! LND's `tls.cert` is self-signed with CA:TRUE, which webpki refuses as an
//! end-entity certificate (`CaUsedAsEndEntity`), so trusting it as a root
//! does not work with rustls. [`PinnedCert`] accepts only the exact DER
//! bytes Satchel was given and still checks the handshake signature against
//! that certificate's key. The host name is deliberately not checked: the
//! pin already names the node, and users often connect by an address that is
//! not in LND's SAN list.

use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{WebPkiSupportedAlgorithms, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};

use super::connect::CertSource;
use crate::node::NodeError;

/// A server certificate verifier that trusts exactly one certificate.
#[derive(Debug)]
pub struct PinnedCert {
    der: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl PinnedCert {
    /// Pin these DER bytes.
    pub fn new(der: Vec<u8>) -> Self {
        let algorithms = rustls::crypto::ring::default_provider().signature_verification_algorithms;
        Self {
            der: CertificateDer::from(der),
            algorithms,
        }
    }
}

impl ServerCertVerifier for PinnedCert {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.der.as_ref() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// The verifier for a certificate source: a pin, or the system's roots.
pub(crate) fn verifier_for(cert: &CertSource) -> Result<Arc<dyn ServerCertVerifier>, NodeError> {
    match cert.der().map_err(|err| NodeError::BadCertificate(err.0))? {
        Some(der) => Ok(Arc::new(PinnedCert::new(der))),
        None => system_verifier(),
    }
}

/// Standard web PKI verification against the operating system's roots.
fn system_verifier() -> Result<Arc<dyn ServerCertVerifier>, NodeError> {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = RootCertStore::empty();
    let (added, _unparsable) = roots.add_parsable_certificates(found.certs);
    if added == 0 {
        return Err(NodeError::BadCertificate(
            "no certificate was given and no trusted root certificates were found on this system"
                .into(),
        ));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
        .build()
        .map(|verifier| verifier as Arc<dyn ServerCertVerifier>)
        .map_err(|err| NodeError::BadCertificate(err.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn der() -> Vec<u8> {
        rcgen::generate_simple_self_signed(vec!["localhost".into()])
            .unwrap()
            .cert
            .der()
            .to_vec()
    }

    fn check(pin: &PinnedCert, presented: &[u8]) -> Result<ServerCertVerified, rustls::Error> {
        let name = ServerName::try_from("anything.invalid").unwrap();
        pin.verify_server_cert(
            &CertificateDer::from(presented),
            &[],
            &name,
            &[],
            UnixTime::now(),
        )
    }

    #[test]
    fn accepts_only_the_pinned_certificate() {
        let (ours, theirs) = (der(), der());
        let pin = PinnedCert::new(ours.clone());
        assert!(
            check(&pin, &ours).is_ok(),
            "the exact pin, whatever the host name"
        );
        let refused = check(&pin, &theirs).unwrap_err();
        assert_eq!(
            refused,
            rustls::Error::InvalidCertificate(CertificateError::ApplicationVerificationFailure)
        );
        assert!(
            pin.supported_verify_schemes()
                .contains(&SignatureScheme::ECDSA_NISTP256_SHA256)
        );
    }

    #[test]
    fn bad_pem_is_a_certificate_error() {
        let err = verifier_for(&CertSource::Pem(b"not pem".to_vec())).unwrap_err();
        assert!(matches!(err, NodeError::BadCertificate(_)), "{err:?}");
        assert!(verifier_for(&CertSource::Der(der())).is_ok());
    }
}
