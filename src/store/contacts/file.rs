//! Loading and saving the contact book. A save re-reads `contacts.json`
//! under a short file lock; when another process changed it since we loaded,
//! the two versions are merged by id (their additions kept, our edits and
//! removals applied, clashing new ids renumbered) so neither loses work.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::{Contact, ContactBook};
use crate::store::atomic::{self, Loaded, Versioned};
use crate::store::lock::open_lock_file;
use crate::store::{Paths, StoreError};

/// The file as we last read or wrote it: the common ancestor of a merge.
#[derive(Debug, Clone, Default)]
pub(super) struct Base {
    contacts: BTreeMap<u64, Contact>,
    digest: Option<[u8; 32]>,
}

/// What a save did besides writing our contacts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SaveReport {
    /// Another process had changed the file; its changes were merged in.
    pub merged: bool,
    /// Our new contacts whose ids were taken by the other process: (old, new).
    pub renumbered: Vec<(u64, u64)>,
    /// For the user when the file on disk was unreadable and moved aside.
    pub warning: Option<String>,
}

impl Versioned for ContactBook {
    const CURRENT: u32 = ContactBook::VERSION;

    fn version(&self) -> u32 {
        self.version
    }

    fn upgrade(&mut self) {
        self.version = Self::CURRENT;
        let after_last = self.contacts.iter().map(|c| c.id + 1).max().unwrap_or(1);
        self.next_id = self.next_id.max(after_last);
    }
}

impl ContactBook {
    /// Load `contacts.json`; a damaged file is quarantined and reported.
    pub fn load(paths: &Paths) -> Result<Loaded<ContactBook>, StoreError> {
        let path = paths.contacts_file();
        let digest = digest_of(&path);
        let mut loaded = atomic::read_or_quarantine::<ContactBook>(&path, &paths.quarantine_dir())?;
        loaded.value.upgrade();
        loaded.value.base = Base {
            contacts: by_id(&loaded.value.contacts),
            digest: if loaded.kept_as.is_some() {
                None
            } else {
                digest
            },
        };
        Ok(loaded)
    }

    /// Save atomically, merging with changes another process made meanwhile.
    /// Ids of contacts added since the last save may change (see the report).
    pub fn save(&mut self, paths: &Paths) -> Result<SaveReport, StoreError> {
        paths.ensure()?;
        let guard = open_lock_file(&paths.root().join(".contacts.lock"))?;
        guard
            .lock()
            .map_err(|error| StoreError::io("lock", paths.root(), error))?;
        let path = paths.contacts_file();
        let report = self.merge_from_disk(&path, &paths.quarantine_dir())?;
        self.version = Self::VERSION;
        let bytes = serde_json::to_vec_pretty(&*self).map_err(|error| StoreError::Parse {
            path: path.clone(),
            reason: error.to_string(),
        })?;
        atomic::write_atomic(&path, &bytes)?;
        self.base = Base {
            contacts: by_id(&self.contacts),
            digest: Some(Sha256::digest(&bytes).into()),
        };
        Ok(report)
    }

    /// Fold in what is on disk now if it is not what we last saw.
    fn merge_from_disk(
        &mut self,
        path: &Path,
        quarantine: &Path,
    ) -> Result<SaveReport, StoreError> {
        let Some(bytes) = read_file(path)? else {
            return Ok(SaveReport::default());
        };
        if Some(<[u8; 32]>::from(Sha256::digest(&bytes))) == self.base.digest {
            return Ok(SaveReport::default());
        }
        match atomic::parse::<ContactBook>(&bytes) {
            Ok(theirs) => Ok(self.merge(theirs)),
            Err(reason) => {
                let kept = atomic::quarantine_file(path, quarantine)?;
                let warning = format!(
                    "contacts.json had been changed and could not be read ({reason}); it was kept as {}",
                    kept.display()
                );
                log::warn!("{warning}");
                Ok(SaveReport {
                    warning: Some(warning),
                    ..SaveReport::default()
                })
            }
        }
    }

    /// Three-way merge of `theirs` (on disk) with ours, against `self.base`.
    fn merge(&mut self, theirs: ContactBook) -> SaveReport {
        let base = &self.base.contacts;
        let ours = by_id(&self.contacts);
        let mut merged = by_id(&theirs.contacts);
        for id in base.keys().filter(|id| !ours.contains_key(id)) {
            let _ = merged.remove(id);
        }
        for (id, contact) in &ours {
            if base.get(id).is_some_and(|old| old != contact) {
                let _ = merged.insert(*id, contact.clone());
            }
        }
        let mut next = [theirs.next_id, self.next_id, after_last(&merged)]
            .into_iter()
            .max()
            .unwrap_or(1);
        let mut renumbered = Vec::new();
        for contact in ours.values().filter(|c| !base.contains_key(&c.id)) {
            if merged.values().any(|other| other.pubkey == contact.pubkey) {
                continue;
            }
            let mut contact = contact.clone();
            if merged.contains_key(&contact.id) {
                renumbered.push((contact.id, next));
                contact.id = next;
                next += 1;
            }
            let _ = merged.insert(contact.id, contact);
        }
        self.next_id = next.max(after_last(&merged));
        self.contacts = merged.into_values().collect();
        SaveReport {
            merged: true,
            renumbered,
            warning: None,
        }
    }
}

fn by_id(contacts: &[Contact]) -> BTreeMap<u64, Contact> {
    contacts.iter().map(|c| (c.id, c.clone())).collect()
}

fn after_last(contacts: &BTreeMap<u64, Contact>) -> u64 {
    contacts.keys().next_back().map_or(1, |id| id + 1)
}

/// The file's bytes, `None` when it does not exist.
fn read_file(path: &Path) -> Result<Option<Vec<u8>>, StoreError> {
    // Never through a symbolic link, never a file of another user.
    let mut file = match crate::store::trust::open_file(path) {
        Ok(Some(file)) => file,
        Ok(None) => return Ok(None),
        Err(error) => return Err(StoreError::io("read", path, error)),
    };
    let mut bytes = Vec::new();
    let _ = file
        .read_to_end(&mut bytes)
        .map_err(|error| StoreError::io("read", path, error))?;
    Ok(Some(bytes))
}

fn digest_of(path: &Path) -> Option<[u8; 32]> {
    fs::read(path)
        .ok()
        .map(|bytes| Sha256::digest(bytes).into())
}
