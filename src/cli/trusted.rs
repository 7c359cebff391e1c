//! Where the TLS certificate Satchel pinned for a node came from, and what
//! to do when the node presents another one: the fix differs for a file the
//! user named, an lndconnect link and the node saved in the profile.

use std::path::PathBuf;

/// Where the certificate Satchel pinned for the node came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trusted {
    /// A tls.cert file named on the command line (or in lnd's directory).
    File(PathBuf),
    /// The `cert` of an `--lndconnect` link.
    Link,
    /// The certificate saved for the profile's active node.
    Saved,
    /// No certificate: the node's must be signed by an authority the
    /// system trusts (an lndconnect link without `cert`).
    SystemRoots,
}

impl Trusted {
    /// What to do when the node presents another certificate.
    pub fn next_step(&self) -> &'static str {
        match self {
            Self::File(_) => {
                "That file is not this node's current certificate: lnd may have regenerated \
                 tls.cert (it does when the certificate expires or its addresses change), or \
                 --rpcserver names a different node. Pass --tlscertpath with the tls.cert from \
                 the lnd directory of the node at that address (copy it again if lnd runs on \
                 another machine)."
            }
            Self::Link => {
                "The link's certificate is not this node's: lnd may have regenerated tls.cert, or \
                 the link is for a different node. Make a new lndconnect link on the node and \
                 pass it with --lndconnect."
            }
            Self::SystemRoots => {
                "lnd's own tls.cert is self-signed, so it must be given: use an lndconnect link \
                 that includes cert=..., or pass --tlscertpath with the node's tls.cert."
            }
            Self::Saved => {
                "lnd may have regenerated tls.cert (it does when it expires or its addresses \
                 change). Open Satchel's window to review the new certificate and trust it, or \
                 pass the node's current tls.cert with --tlscertpath (or a new --lndconnect link)."
            }
        }
    }
}

impl std::fmt::Display for Trusted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::File(path) => write!(f, "the one in {}", path.display()),
            Self::Link => f.write_str("the one in the lndconnect link"),
            Self::Saved => f.write_str("the one Satchel saved for it"),
            Self::SystemRoots => {
                f.write_str("the certificate authorities this system trusts (the link has no cert)")
            }
        }
    }
}
