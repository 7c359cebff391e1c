//! Being a good desktop citizen: opening folders in the file manager.

mod open;

pub use open::{open_folder, opener};
