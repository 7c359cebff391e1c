//! Careful reads of versioned JSON files. A file we cannot understand is
//! moved into the quarantine folder (never overwritten, never deleted) and
//! the caller is told, so the user's data is never silently lost.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::StoreError;
use super::paths::create_private_dir;

/// Files larger than this are not ours (or are damaged): they are quarantined.
const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// A file format with a `version` field.
pub trait Versioned: DeserializeOwned + Default {
    /// The version this build writes.
    const CURRENT: u32;
    /// The version recorded in the loaded value.
    fn version(&self) -> u32;
    /// Bring a value from an older version up to [`Self::CURRENT`].
    fn upgrade(&mut self);
}

/// The result of a careful read.
#[derive(Debug)]
pub struct Loaded<T> {
    /// What was read, or the default when the file was missing or unreadable.
    pub value: T,
    /// For the user when the file was unreadable and moved aside.
    pub warning: Option<String>,
    /// Where the unreadable file was moved.
    pub kept_as: Option<PathBuf>,
}

/// Read a versioned JSON file. Missing: the default. Unreadable, corrupt, or
/// written by a newer Satchel: moved into `quarantine` and the default
/// returned with a warning. `Err` only when such a file could not even be
/// moved aside (then nothing must be written over it).
pub fn read_or_quarantine<T: Versioned>(
    path: &Path,
    quarantine: &Path,
) -> Result<Loaded<T>, StoreError> {
    if let Some(dir) = path.parent().filter(|dir| dir.is_dir()) {
        super::trust::trust_dir(dir)?;
    }
    let bytes = match read_capped(path) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Ok(fresh(T::default())),
        Err(error) => {
            return set_aside(path, quarantine, &format!("it could not be read ({error})"));
        }
    };
    match parse::<T>(&bytes) {
        Ok(value) => Ok(fresh(value)),
        Err(reason) => set_aside(path, quarantine, &reason),
    }
}

/// `Ok(None)` when the file does not exist.
fn read_capped(path: &Path) -> io::Result<Option<Vec<u8>>> {
    let Some(file) = super::trust::open_file(path)? else {
        return Ok(None);
    };
    let mut bytes = Vec::new();
    let _ = file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(io::Error::other("it is larger than 32 MiB"));
    }
    Ok(Some(bytes))
}

/// Parse and upgrade; a newer version than ours is refused so we never
/// write over fields we do not know.
pub(crate) fn parse<T: Versioned>(bytes: &[u8]) -> Result<T, String> {
    let mut value: T =
        serde_json::from_slice(bytes).map_err(|error| format!("it is damaged ({error})"))?;
    if value.version() > T::CURRENT {
        return Err(format!(
            "it was written by a newer Satchel (format {}, this version reads up to {})",
            value.version(),
            T::CURRENT
        ));
    }
    value.upgrade();
    Ok(value)
}

fn fresh<T>(value: T) -> Loaded<T> {
    Loaded {
        value,
        warning: None,
        kept_as: None,
    }
}

fn set_aside<T: Versioned>(
    path: &Path,
    quarantine: &Path,
    reason: &str,
) -> Result<Loaded<T>, StoreError> {
    let kept_as = quarantine_file(path, quarantine)?;
    let name = file_name(path);
    let warning = format!(
        "{name} could not be used because {reason}; it was kept as {} and Satchel is starting with an empty one",
        kept_as.display()
    );
    log::warn!("{warning}");
    Ok(Loaded {
        value: T::default(),
        warning: Some(warning),
        kept_as: Some(kept_as),
    })
}

/// Move `path` into `quarantine` as `<name>.<UTC timestamp>[.n]`, never
/// replacing an earlier quarantined file.
pub(crate) fn quarantine_file(path: &Path, quarantine: &Path) -> Result<PathBuf, StoreError> {
    create_private_dir(quarantine)?;
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let base = format!("{}.{stamp}", file_name(path));
    for n in 0..1000 {
        let name = if n == 0 {
            base.clone()
        } else {
            format!("{base}.{n}")
        };
        let target = quarantine.join(name);
        if target.exists() {
            continue;
        }
        return fs::rename(path, &target)
            .map(|()| target)
            .map_err(|error| StoreError::from_io("move aside", path, error));
    }
    Err(StoreError::Parse {
        path: path.to_path_buf(),
        reason: "too many quarantined copies with the same timestamp".into(),
    })
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, PartialEq, serde::Deserialize)]
    #[serde(default)]
    struct Sample {
        version: u32,
        names: Vec<String>,
    }

    impl Versioned for Sample {
        const CURRENT: u32 = 2;
        fn version(&self) -> u32 {
            self.version
        }
        fn upgrade(&mut self) {
            self.version = Self::CURRENT;
        }
    }

    fn load(path: &Path) -> Loaded<Sample> {
        read_or_quarantine(path, &path.parent().unwrap().join("quarantine")).unwrap()
    }

    #[test]
    fn missing_file_gives_the_default_quietly() {
        let dir = tempfile::tempdir().unwrap();
        let loaded = load(&dir.path().join("absent.json"));
        assert_eq!(loaded.value, Sample::default());
        assert!(loaded.warning.is_none() && loaded.kept_as.is_none());
        assert!(!dir.path().join("quarantine").exists());
    }

    #[test]
    fn older_versions_are_upgraded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        fs::write(&path, br#"{"version":1,"names":["a"],"unknown":true}"#).unwrap();
        let loaded = load(&path);
        assert_eq!(
            loaded.value,
            Sample {
                version: 2,
                names: vec!["a".into()]
            }
        );
        assert!(loaded.warning.is_none());
    }

    #[test]
    fn unreadable_files_are_moved_aside_with_a_warning() {
        let cases: &[(&str, &[u8], &str)] = &[
            ("garbage", b"\x00\xffnot json", "damaged"),
            ("truncated", br#"{"version":1,"names":["a","#, "damaged"),
            ("wrong shape", br#"{"version":1,"names":"a"}"#, "damaged"),
            (
                "newer",
                br#"{"version":3,"names":[]}"#,
                "newer Satchel (format 3",
            ),
        ];
        for (label, bytes, reason) in cases {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("contacts.json");
            fs::write(&path, bytes).unwrap();
            let loaded = load(&path);
            assert_eq!(loaded.value, Sample::default(), "{label}");
            let kept = loaded.kept_as.expect(label);
            assert!(!path.exists(), "{label}: original must be moved");
            assert_eq!(fs::read(&kept).unwrap(), *bytes, "{label}: kept intact");
            assert!(kept.starts_with(dir.path().join("quarantine")), "{label}");
            let warning = loaded.warning.unwrap();
            assert!(
                warning.starts_with("contacts.json could not be used because"),
                "{warning}"
            );
            assert!(
                warning.contains(reason) && warning.contains(&kept.display().to_string()),
                "{warning}"
            );
        }
    }

    #[test]
    fn quarantine_never_overwrites_an_earlier_copy() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.json");
        let mut kept = Vec::new();
        for content in ["one", "two", "three"] {
            fs::write(&path, content).unwrap();
            kept.push(load(&path).kept_as.unwrap());
        }
        let contents: Vec<_> = kept
            .iter()
            .map(|k| fs::read_to_string(k).unwrap())
            .collect();
        assert_eq!(contents, ["one", "two", "three"]);
    }
}
