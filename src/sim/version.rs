//! The version the simulated nodes report in GetInfo.

/// LND-style version string.
pub(crate) const VERSION: &str = "0.21.2-beta commit=sim";
/// A 40-hex commit hash, as LND reports.
pub(crate) const COMMIT: &str = "5a7e11a75a7e11a75a7e11a75a7e11a75a7e11a7";
