//! The onion payload budget: will these records fit, and how long may the
//! message be (research notes, section 2.6).
//!
//! BOLT 4: all hops share 1300 bytes of `hop_payloads`; each hop takes its
//! BigSize length prefix, its TLV payload and a 32-byte HMAC. LND drops paths
//! whose payloads do not fit, so an oversize tip fails as NO_ROUTE, not as a
//! clear error: the UI checks here first.

use super::Msat;
use super::record::{KEYSEND_PREIMAGE, MESSAGE, Records};

/// BOLT 4: the size of the onion's `hop_payloads` area, shared by all hops.
pub const ONION_BUDGET: usize = 1300;
/// BOLT 4: every hop's payload is followed by a 32-byte HMAC.
const HMAC_LEN: usize = 32;
/// Truncated-u32 width of a CLTV expiry: block heights stay below 2^24 for centuries.
const CLTV_VALUE_LEN: usize = 3;
/// bLIP-3: the keysend preimage record value is 32 bytes.
const PREIMAGE_LEN: usize = 32;

/// Bytes used and available, for a byte meter in the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Bytes the route and the records take.
    pub used: usize,
    /// The onion budget: [`ONION_BUDGET`].
    pub total: usize,
    /// Route length counted in hops, the destination included.
    pub hops: u32,
}

impl Budget {
    /// Measure `records` (the preimage record is added if absent) over `hops` hops.
    pub fn measure(hops: u32, amount: Msat, records: &Records) -> Self {
        Self::measure_reserving(hops, amount, records, 0)
    }

    /// [`Budget::measure`] with `reserved` more bytes of final-hop records,
    /// for records added later (a signature the node has not made yet).
    pub fn measure_reserving(hops: u32, amount: Msat, records: &Records, reserved: usize) -> Self {
        let used = intermediate_hops(hops) * intermediate_hop_cost(amount)
            + hop_cost(final_hop_payload_len(amount, records) + reserved);
        Self {
            used,
            total: ONION_BUDGET,
            hops: hops.max(1),
        }
    }

    /// Whether it fits.
    pub fn fits(&self) -> bool {
        self.used <= self.total
    }

    /// Bytes over the budget (zero when it fits).
    pub fn over(&self) -> usize {
        self.used.saturating_sub(self.total)
    }

    /// Bytes still free (zero when over budget).
    pub fn remaining(&self) -> usize {
        self.total.saturating_sub(self.used)
    }

    /// How full the onion is, 0.0 to 1.0 (capped), for a progress bar.
    pub fn fraction(&self) -> f32 {
        (self.used as f32 / self.total as f32).min(1.0)
    }
}

/// BOLT 1 BigSize: the encoded width of `value`.
pub const fn bigsize_len(value: u64) -> usize {
    match value {
        0..=0xFC => 1,
        0xFD..=0xFFFF => 3,
        0x1_0000..=0xFFFF_FFFF => 5,
        _ => 9,
    }
}

/// BOLT 1 truncated integer: bytes left after dropping leading zero bytes.
pub const fn truncated_len(value: u64) -> usize {
    8 - (value.leading_zeros() / 8) as usize
}

/// One TLV record's encoded size: type, length, value.
pub const fn record_len(key: u64, value_len: usize) -> usize {
    bigsize_len(key) + bigsize_len(value_len as u64) + value_len
}

/// The final hop's TLV payload: amount, CLTV and every record, with the
/// 32-byte keysend preimage record counted even if `records` lacks it.
pub fn final_hop_payload_len(amount: Msat, records: &Records) -> usize {
    let preimage = if records.contains_key(&KEYSEND_PREIMAGE) {
        0
    } else {
        record_len(KEYSEND_PREIMAGE, PREIMAGE_LEN)
    };
    let custom: usize = records
        .iter()
        .map(|(key, value)| record_len(*key, value.len()))
        .sum();
    amount_and_cltv_len(amount) + preimage + custom
}

/// A forwarding hop's share: amount, CLTV, next channel id, prefix, HMAC
/// (about 53 bytes). Forwarded amounts include fees, which rarely change the width.
pub fn intermediate_hop_cost(amount: Msat) -> usize {
    // BOLT 4: short_channel_id is type 6, 8 bytes.
    hop_cost(amount_and_cltv_len(amount) + record_len(6, 8))
}

/// Whether `records` (plus the preimage record) fit a route of `hops` hops.
pub fn fits(hops: u32, amount: Msat, records: &Records) -> bool {
    Budget::measure(hops, amount, records).fits()
}

/// The longest message (UTF-8 bytes) that still fits next to `other_records`
/// over `hops` hops; 0 when not even one byte fits. A message record already in
/// `other_records` is ignored.
pub fn max_message_bytes(hops: u32, amount: Msat, other_records: &Records) -> usize {
    let old_message = other_records
        .get(&MESSAGE)
        .map_or(0, |m| record_len(MESSAGE, m.len()));
    let base = final_hop_payload_len(amount, other_records) - old_message;
    let route = intermediate_hops(hops) * intermediate_hop_cost(amount);
    let fits_with = |n: usize| route + hop_cost(base + record_len(MESSAGE, n)) <= ONION_BUDGET;
    // Largest n in 0..=ONION_BUDGET with fits_with(n): the cost grows with n.
    let (mut low, mut high) = (0usize, ONION_BUDGET + 1);
    while low + 1 < high {
        let middle = (low + high) / 2;
        if fits_with(middle) {
            low = middle;
        } else {
            high = middle;
        }
    }
    if fits_with(low) { low } else { 0 }
}

/// A hop's share of the onion for a payload of `payload_len` bytes.
fn hop_cost(payload_len: usize) -> usize {
    bigsize_len(payload_len as u64) + payload_len + HMAC_LEN
}

/// The amount (type 2) and outgoing CLTV (type 4) records every hop carries.
fn amount_and_cltv_len(amount: Msat) -> usize {
    record_len(2, truncated_len(amount.0)) + record_len(4, CLTV_VALUE_LEN)
}

/// Hops before the destination; a route has at least the destination.
fn intermediate_hops(hops: u32) -> usize {
    hops.max(1) as usize - 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keysend::record::{SENDER_PUBKEY, SIGNATURE, TIMESTAMP};

    const TIP: Msat = Msat::from_sat(100);

    fn whatsat_identity() -> Records {
        Records::from([
            (SENDER_PUBKEY, vec![2; 33]),
            (TIMESTAMP, vec![0; 8]),
            (SIGNATURE, vec![1; 64]),
        ])
    }

    #[test]
    fn reproduces_the_research_table() {
        // Research notes 2.6: (hops, message only, with Whatsat identity).
        let table = [
            (1, 1205, 1082),
            (2, 1152, 1029),
            (3, 1099, 976),
            (4, 1046, 923),
            (5, 993, 870),
            (6, 940, 817),
        ];
        for (hops, plain, signed) in table {
            assert_eq!(
                max_message_bytes(hops, TIP, &Records::new()),
                plain,
                "{hops} hops"
            );
            assert_eq!(
                max_message_bytes(hops, TIP, &whatsat_identity()),
                signed,
                "{hops} hops signed"
            );
        }
    }

    #[test]
    fn the_maximum_fits_and_one_more_byte_does_not() {
        for hops in 1..=6 {
            let max = max_message_bytes(hops, TIP, &Records::new());
            let at = Records::from([(MESSAGE, vec![b'x'; max])]);
            let over = Records::from([(MESSAGE, vec![b'x'; max + 1])]);
            assert!(fits(hops, TIP, &at), "{hops}");
            assert!(!fits(hops, TIP, &over), "{hops}");
            assert_eq!(Budget::measure(hops, TIP, &at).remaining(), 0, "{hops}");
        }
    }

    #[test]
    fn encoding_widths() {
        let bigsize = [
            (0, 1),
            (0xFC, 1),
            (0xFD, 3),
            (0xFFFF, 3),
            (0x1_0000, 5),
            (MESSAGE, 5),
            (KEYSEND_PREIMAGE, 9),
        ];
        for (value, width) in bigsize {
            assert_eq!(bigsize_len(value), width, "{value}");
        }
        let truncated = [
            (0, 0),
            (1, 1),
            (255, 1),
            (256, 2),
            (100_000, 3),
            (u64::MAX, 8),
        ];
        for (value, width) in truncated {
            assert_eq!(truncated_len(value), width, "{value}");
        }
        assert_eq!(record_len(KEYSEND_PREIMAGE, 32), 42);
        assert_eq!(intermediate_hop_cost(TIP), 53);
    }

    #[test]
    fn record_len_matches_the_real_encoding() {
        use crate::keysend::record::to_tlv_stream;
        for len in [0, 1, 252, 253, 300, 65_535, 65_536] {
            for key in [65_536, MESSAGE, KEYSEND_PREIMAGE] {
                let records = Records::from([(key, vec![0; len])]);
                assert_eq!(
                    to_tlv_stream(&records).len(),
                    record_len(key, len),
                    "{key} {len}"
                );
            }
        }
    }

    #[test]
    fn preimage_is_counted_once() {
        let without = final_hop_payload_len(TIP, &Records::new());
        let with = final_hop_payload_len(TIP, &Records::from([(KEYSEND_PREIMAGE, vec![0; 32])]));
        assert_eq!(without, 10 + 42);
        assert_eq!(with, without);
    }

    #[test]
    fn budget_meter_values() {
        let records = Records::from([(MESSAGE, vec![b'x'; 100])]);
        let budget = Budget::measure(2, TIP, &records);
        // 53 (one forwarding hop) + 1 + (10 + 42 + 5 + 1 + 100) + 32.
        assert_eq!(
            budget,
            Budget {
                used: 244,
                total: 1300,
                hops: 2
            }
        );
        assert_eq!(budget.remaining(), 1056);
        assert!((budget.fraction() - 244.0 / 1300.0).abs() < 1e-6);
        assert_eq!(Budget::measure(0, TIP, &records).hops, 1);
    }

    #[test]
    fn nothing_fits_on_a_very_long_route_or_next_to_a_huge_record() {
        assert_eq!(max_message_bytes(30, TIP, &Records::new()), 0);
        let huge = Records::from([(7_629_169, vec![0; 1300])]);
        assert_eq!(max_message_bytes(1, TIP, &huge), 0);
        assert!(!fits(1, TIP, &huge));
        let old = Records::from([(MESSAGE, vec![0; 5000])]);
        assert_eq!(max_message_bytes(1, TIP, &old), 1205);
    }
}
