//! Being a good desktop citizen: the window's icon and app id, opening
//! folders in the file manager, one window per profile ([`instance`]).

#[cfg(feature = "gui")]
pub mod dialogs;
mod icon;
#[cfg(unix)]
pub mod instance;
#[cfg(feature = "gui")]
pub mod keys;
mod open;
pub mod qr;

#[cfg(feature = "gui")]
pub use icon::window_settings;
pub use icon::{APP_ID, ICON_PNG, icon_rgba};
pub use open::{open_folder, opener};
