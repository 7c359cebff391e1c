//! What a synced history is made of: how many keysends claim a signed
//! sender, carry a message (and how long), or a boostagram. The e2e bench
//! prints it so each figure says which history it was measured on.

use satchel::keysend::record;
use satchel::node::ReceivedKeysend;

/// Counts over received keysends.
#[derive(Debug, Default, Clone, Copy)]
pub struct HistoryMix {
    pub total: usize,
    /// Sender pubkey, timestamp and signature records all present.
    pub signed: usize,
    pub with_message: usize,
    pub message_bytes: usize,
    pub shortest_message: Option<usize>,
    pub longest_message: usize,
    pub boostagrams: usize,
}

impl HistoryMix {
    /// Count one page of keysends.
    pub fn add(&mut self, items: &[ReceivedKeysend]) {
        for item in items {
            let records = &item.records;
            self.total += 1;
            let signed = [record::SENDER_PUBKEY, record::TIMESTAMP, record::SIGNATURE]
                .iter()
                .all(|key| records.contains_key(key));
            self.signed += usize::from(signed);
            self.boostagrams += usize::from(records.contains_key(&record::BOOSTAGRAM));
            if let Some(message) = records.get(&record::MESSAGE) {
                self.with_message += 1;
                self.message_bytes += message.len();
                self.longest_message = self.longest_message.max(message.len());
                self.shortest_message = Some(
                    self.shortest_message
                        .map_or(message.len(), |s| s.min(message.len())),
                );
            }
        }
    }

    /// One line for the bench output.
    pub fn describe(&self) -> String {
        let share = |n: usize| 100.0 * n as f64 / self.total.max(1) as f64;
        format!(
            "history mix: {} keysends; {:.1} % with a signed sender (pubkey + timestamp + \
             signature records), {:.1} % with a message record (mean {:.0} bytes, {}-{} bytes), \
             {:.1} % boostagrams",
            self.total,
            share(self.signed),
            share(self.with_message),
            self.message_bytes as f64 / self.with_message.max(1) as f64,
            self.shortest_message.unwrap_or(0),
            self.longest_message,
            share(self.boostagrams)
        )
    }
}
