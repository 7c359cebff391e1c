//! Who a typed recipient is: a contact's name (in full, or its start when
//! the caller lets the user confirm), a contact's public key, or any other
//! public key. The one rule both the Send screen and `satchel send` follow.

use super::{Contact, ContactBook};
use crate::keysend::text::display_safe;
use crate::keysend::{NodeId, NodeIdError};

/// Longest piece of typed text repeated in an error.
const ECHO_CHARS: usize = 80;

/// The node a recipient text names, and the contact it was found through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolved<'b> {
    /// The node to pay.
    pub id: NodeId,
    /// The contact, when the text named one (or its key is one).
    pub contact: Option<&'b Contact>,
    /// Only the start of the contact's name was typed.
    pub by_prefix: bool,
}

/// Why a recipient text names no single node.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    #[error("choose a contact or paste a node public key")]
    Empty,
    /// Neither a contact name nor something meant as a key.
    #[error("no contact is called {0:?}")]
    Unknown(String),
    /// Several contacts fit.
    #[error("{text:?} matches several contacts: {}; give the full name or the public key", names.join(", "))]
    Ambiguous { text: String, names: Vec<String> },
    /// The start of one contact's name, where the caller needs it in full.
    #[error(
        "{text:?} is only the start of the contact name {name:?} ({id}); give the full name or \
         the public key"
    )]
    PrefixOnly {
        text: String,
        name: String,
        id: NodeId,
    },
    /// Meant as a public key, but not a valid one.
    #[error("{0}")]
    BadKey(#[from] NodeIdError),
}

impl ContactBook {
    /// The node `text` names: a contact's exact name (any case), then a
    /// public key (the contact with that key, if any), then, when
    /// `allow_prefix`, the one contact whose name starts with `text`. Text
    /// that looks like a key but is not one gets the key's own error.
    pub fn resolve(&self, text: &str, allow_prefix: bool) -> Result<Resolved<'_>, ResolveError> {
        let typed = text.trim();
        if typed.is_empty() {
            return Err(ResolveError::Empty);
        }
        let wanted = typed.to_lowercase();
        let exact = self.named(|name| name == wanted);
        if let Some(found) = self.one_of(typed, &exact, false)? {
            return Ok(found);
        }
        if let Ok(id) = typed.parse::<NodeId>() {
            let contact = self.by_pubkey(&id);
            return Ok(Resolved {
                id,
                contact,
                by_prefix: false,
            });
        }
        let prefixed = self.named(|name| name.starts_with(&wanted));
        match self.one_of(typed, &prefixed, true)? {
            Some(found) if allow_prefix => Ok(found),
            Some(found) => Err(ResolveError::PrefixOnly {
                text: echo(typed),
                name: found.contact.map(|c| c.name.clone()).unwrap_or_default(),
                id: found.id,
            }),
            None if looks_like_pubkey(typed) => Err(typed
                .parse::<NodeId>()
                .err()
                .map_or(ResolveError::Unknown(echo(typed)), ResolveError::BadKey)),
            None => Err(ResolveError::Unknown(echo(typed))),
        }
    }

    fn named(&self, fits: impl Fn(&str) -> bool) -> Vec<&Contact> {
        self.contacts()
            .iter()
            .filter(|c| fits(&c.name.to_lowercase()))
            .collect()
    }

    fn one_of<'b>(
        &'b self,
        typed: &str,
        found: &[&'b Contact],
        by_prefix: bool,
    ) -> Result<Option<Resolved<'b>>, ResolveError> {
        match found {
            [] => Ok(None),
            [contact] => Ok(Some(Resolved {
                id: contact.pubkey,
                contact: Some(contact),
                by_prefix,
            })),
            many => Err(ResolveError::Ambiguous {
                text: echo(typed),
                names: many
                    .iter()
                    .map(|c| format!("{} ({})", c.name, c.pubkey.short()))
                    .collect(),
            }),
        }
    }
}

/// Long hex, or starting like a compressed key: meant as a key, not a name.
fn looks_like_pubkey(text: &str) -> bool {
    let hex = text.chars().all(|c| c.is_ascii_hexdigit());
    let key_prefix = text.starts_with("02") || text.starts_with("03");
    text.len() == 66 || (hex && text.len() >= 16) || (key_prefix && text.len() >= 10)
}

fn echo(text: &str) -> String {
    display_safe(text, ECHO_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::NewContact;

    const ALICE: &str = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
    const BOB: &str = "02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5";

    fn key(hex: &str) -> NodeId {
        hex.parse().unwrap()
    }

    fn other(hex: &str) -> String {
        "03".to_owned() + &hex[2..]
    }

    fn book() -> ContactBook {
        let mut book = ContactBook::new();
        for (name, id) in [
            ("Alice's node", key(ALICE)),
            ("Bob", key(BOB)),
            ("Bobby", key(&other(BOB))),
        ] {
            let _ = book.add(NewContact::new(name, id)).unwrap();
        }
        book
    }

    type Outcome = Result<(String, Option<String>, bool), ResolveError>;

    /// What resolving gave, reduced to comparable values.
    fn outcome(book: &ContactBook, text: &str, prefix: bool) -> Outcome {
        book.resolve(text, prefix).map(|r| {
            (
                r.id.to_hex(),
                r.contact.map(|c| c.name.clone()),
                r.by_prefix,
            )
        })
    }

    #[test]
    fn resolves_names_keys_and_prefixes() {
        let book = book();
        let alice = || Some("Alice's node".to_owned());
        let stranger = other(ALICE);
        let bad_key = &ALICE[..64];
        let bad_key_error = ResolveError::BadKey(bad_key.parse::<NodeId>().unwrap_err());
        let cases: Vec<(&str, bool, Outcome)> = vec![
            ("", false, Err(ResolveError::Empty)),
            ("   ", true, Err(ResolveError::Empty)),
            ("alice's NODE", false, Ok((ALICE.into(), alice(), false))),
            (" Bob ", false, Ok((BOB.into(), Some("Bob".into()), false))),
            (ALICE, false, Ok((ALICE.into(), alice(), false))),
            (&stranger, false, Ok((stranger.clone(), None, false))),
            ("ali", true, Ok((ALICE.into(), alice(), true))),
            (
                "ali",
                false,
                Err(ResolveError::PrefixOnly {
                    text: "ali".into(),
                    name: "Alice's node".into(),
                    id: key(ALICE),
                }),
            ),
            // "Bob" is a full name even though "Bobby" starts with it.
            ("bob", true, Ok((BOB.into(), Some("Bob".into()), false))),
            ("carol", true, Err(ResolveError::Unknown("carol".into()))),
            ("r", false, Err(ResolveError::Unknown("r".into()))),
            (bad_key, true, Err(bad_key_error)),
        ];
        for (text, prefix, expected) in cases {
            assert_eq!(
                outcome(&book, text, prefix),
                expected,
                "{text:?} prefix={prefix}"
            );
        }
    }

    #[test]
    fn several_matches_are_named_not_guessed() {
        let book = book();
        let err = book.resolve("bo", true).unwrap_err();
        let ResolveError::Ambiguous { names, .. } = &err else {
            panic!("{err:?}");
        };
        assert_eq!(names.len(), 2, "{names:?}");
        let text = err.to_string();
        assert!(text.contains("Bob (") && text.contains("Bobby ("), "{text}");
    }

    #[test]
    fn typed_text_is_made_display_safe_in_errors() {
        let book = book();
        let err = book.resolve("\u{202e}evil\u{1b}[31m", false).unwrap_err();
        let ResolveError::Unknown(echo) = err else {
            panic!("{err:?}");
        };
        assert!(
            !echo.contains('\u{202e}') && !echo.contains('\u{1b}'),
            "{echo:?}"
        );
    }
}
