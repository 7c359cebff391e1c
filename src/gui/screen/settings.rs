//! The Settings screen: theme, amount unit, renderer, spam threshold,
//! default fee limit, confirmation threshold, notifications and saved
//! nodes. Choices apply at once (the renderer at the next start). A number
//! is checked as it is typed (every field shows its own error) but applied
//! only when it is complete: on Enter, or when the screen is left. So a
//! half-typed `150` on the way to `150%` is never saved. The parent saves
//! atomically.
//!
//! - [`view`]: how the screen looks.
//! - [`renderer`]: the renderer picker.
//! - [`caps`]: the daily cap across streams and recurring tips.

use crate::gui::renderer::Drawn;
use crate::keysend::Msat;
use crate::store::{AmountUnit, FeeLimit, RendererChoice, Settings as Stored, ThemeChoice};

pub mod apps;
pub mod caps;
mod renderer;
mod view;

/// The typed number fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// "Hide tips below": the spam threshold.
    Spam,
    /// The default fee limit (sats or a percentage).
    FeeLimit,
    /// "Ask to confirm above".
    Confirm,
}

impl Field {
    const ALL: [Self; 3] = [Self::Spam, Self::FeeLimit, Self::Confirm];

    /// The text field's widget id (tests find it by this).
    pub fn id(self) -> &'static str {
        match self {
            Self::Spam => "settings-spam",
            Self::FeeLimit => "settings-fee-limit",
            Self::Confirm => "settings-confirm",
        }
    }
}

/// What is typed in one number field and why it is not valid.
#[derive(Debug, Default)]
struct Input {
    text: String,
    error: Option<String>,
}

/// The Settings screen: the text of the numeric fields being typed.
pub struct Settings {
    spam: Input,
    fee_limit: Input,
    confirm: Input,
    /// What draws this window (read once: iced fixed it at start).
    drawn: Drawn,
    /// Connected apps (Nostr Wallet Connect) and the service serving them.
    apps: apps::Apps,
    /// The daily cap (stored per node, not in the settings file).
    caps: caps::Caps,
}

/// Settings events.
#[derive(Debug, Clone)]
pub enum Message {
    Theme(ThemeChoice),
    Unit(AmountUnit),
    /// The renderer for the next start.
    Renderer(RendererChoice),
    /// The UI scale, in percent (applied at once).
    Scale(u16),
    /// Fiat amounts on or off (off: no price request at all).
    FiatToggled(bool),
    /// The fiat currency (an ISO code).
    FiatCurrency(&'static str),
    /// Ask the price source again now.
    RefreshFiat,
    SpamChanged(String),
    FeeLimitChanged(String),
    ConfirmChanged(String),
    /// Enter in a number field: apply it if it is valid.
    Submitted(Field),
    NotificationsToggled(bool),
    SwitchNode(String),
    ForgetNode(String),
    Disconnect,
    /// Show the log files in the file manager.
    OpenLogFolder,
    /// Copy this text (your node's public key) to the clipboard.
    Copy(String),
    /// Connected apps (the session handles these: they need the node).
    Apps(apps::Message),
    /// The daily cap across streams and recurring tips.
    Caps(caps::Message),
}

/// What the parent must do.
pub enum Action {
    None,
    /// Save these settings.
    Changed(Stored),
    /// Connect to another saved node.
    Switch(String),
    /// Forget a saved node.
    Forget(String),
    /// Go back to the Connect screen.
    Disconnect,
    /// Put this text on the clipboard.
    Copy(String),
    /// Ask the price source again now.
    RefreshFiat,
    /// Run this work (the daily cap's read and save).
    Run(iced::Task<Message>),
}

impl Settings {
    /// The screen for the current settings.
    pub fn new(stored: &Stored) -> Self {
        let input = |text: String| Input { text, error: None };
        Self {
            spam: input(stored.spam_threshold.sats().to_string()),
            fee_limit: input(fee_limit_text(stored.default_fee_limit)),
            confirm: input(stored.confirm_above.sats().to_string()),
            drawn: Drawn::current(),
            apps: apps::Apps::default(),
            caps: caps::Caps::default(),
        }
    }

    /// The screen is shown for the node whose data is in `node_data`.
    pub fn shown(&mut self, node_data: std::path::PathBuf) -> iced::Task<Message> {
        self.caps.shown(node_data).map(Message::Caps)
    }

    /// Handle an event; `stored` is the current settings.
    pub fn update(&mut self, message: Message, stored: &Stored) -> Action {
        let mut next = stored.clone();
        match message {
            Message::Theme(choice) => next.theme = choice,
            Message::Unit(unit) => next.unit = unit,
            Message::Renderer(choice) => next.renderer = choice,
            Message::Scale(percent) => match crate::store::UiScale::new(percent) {
                Ok(scale) => next.ui_scale = scale,
                Err(reason) => {
                    log::warn!("{reason}");
                    return Action::None;
                }
            },
            Message::NotificationsToggled(on) => next.notifications = on,
            Message::FiatToggled(on) => next.fiat.enabled = on,
            Message::FiatCurrency(code) => next.fiat.currency = code.to_owned(),
            Message::RefreshFiat => return Action::RefreshFiat,
            Message::SpamChanged(text) => return self.typed(Field::Spam, text),
            Message::FeeLimitChanged(text) => return self.typed(Field::FeeLimit, text),
            Message::ConfirmChanged(text) => return self.typed(Field::Confirm, text),
            Message::Submitted(field) => return self.submit(&[field], stored),
            Message::SwitchNode(id) => return Action::Switch(id),
            Message::ForgetNode(id) => return Action::Forget(id),
            Message::Disconnect => return Action::Disconnect,
            Message::Copy(text) => return Action::Copy(text),
            Message::Apps(_) => return Action::None, // routed by the session to `apps_mut`
            Message::Caps(message) => {
                return Action::Run(self.caps.update(message).map(Message::Caps));
            }
            Message::OpenLogFolder => {
                let opened = crate::store::log_dir()
                    .map_err(|err| err.to_string())
                    .and_then(|dir| crate::desktop::open_folder(&dir));
                if let Err(err) = opened {
                    log::warn!("{err}");
                }
                return Action::None;
            }
        }
        Action::Changed(next)
    }

    /// Connected apps (the session routes [`Message::Apps`] here).
    pub fn apps_mut(&mut self) -> &mut apps::Apps {
        &mut self.apps
    }

    /// Connected apps (tests).
    pub fn apps(&self) -> &apps::Apps {
        &self.apps
    }

    /// Esc: drop what was typed in the number fields and not applied;
    /// `true` if anything was.
    pub fn revert(&mut self, stored: &Stored) -> bool {
        if self.apps.escape() {
            return true;
        }
        let fresh = Self::new(stored);
        let typed = Field::ALL
            .iter()
            .any(|&f| self.input(f).text != fresh.input(f).text || self.error(f).is_some());
        if typed {
            (self.spam, self.fee_limit, self.confirm) =
                (fresh.spam, fresh.fee_limit, fresh.confirm);
        }
        typed
    }

    /// The screen is left: apply every valid number typed and not yet applied.
    pub fn leave(&mut self, stored: &Stored) -> Action {
        self.submit(&Field::ALL, stored)
    }

    /// The error shown under `field`, if its text is not valid.
    pub fn error(&self, field: Field) -> Option<&str> {
        self.input(field).error.as_deref()
    }

    fn input(&self, field: Field) -> &Input {
        match field {
            Field::Spam => &self.spam,
            Field::FeeLimit => &self.fee_limit,
            Field::Confirm => &self.confirm,
        }
    }

    fn input_mut(&mut self, field: Field) -> &mut Input {
        match field {
            Field::Spam => &mut self.spam,
            Field::FeeLimit => &mut self.fee_limit,
            Field::Confirm => &mut self.confirm,
        }
    }

    /// New text in a field: checked now, applied on Enter or when leaving.
    fn typed(&mut self, field: Field, text: String) -> Action {
        let mut probe = Stored::default();
        let error = apply(field, &text, &mut probe).err();
        *self.input_mut(field) = Input { text, error };
        Action::None
    }

    /// Apply the valid ones of `fields`; `Changed` only if a value differs.
    fn submit(&mut self, fields: &[Field], stored: &Stored) -> Action {
        let mut next = stored.clone();
        for &field in fields {
            let input = self.input_mut(field);
            input.error = apply(field, &input.text, &mut next).err();
        }
        if next == *stored {
            Action::None
        } else {
            Action::Changed(next)
        }
    }
}

/// Parse `text` as `field` into `settings`, or say why it is not valid.
fn apply(field: Field, text: &str, settings: &mut Stored) -> Result<(), String> {
    match field {
        Field::Spam => settings.spam_threshold = parse_sats_or_zero(text)?,
        Field::FeeLimit => settings.default_fee_limit = parse_fee_limit(text)?,
        Field::Confirm => settings.confirm_above = parse_sats_or_zero(text)?,
    }
    Ok(())
}

fn parse_sats_or_zero(text: &str) -> Result<Msat, String> {
    match text.trim() {
        "0" | "" => Ok(Msat::ZERO),
        typed => Msat::parse_sats(typed).map_err(|e| e.to_string()),
    }
}

/// `"10"` is 10 sats; `"1%"` or `"0.5%"` a share of the amount.
fn parse_fee_limit(text: &str) -> Result<FeeLimit, String> {
    let text = text.trim();
    match text.strip_suffix('%') {
        Some(percent) => {
            let value: f64 = percent
                .trim()
                .parse()
                .map_err(|_| format!("{text:?} is not a percentage"))?;
            if !(0.0..=100.0).contains(&value) || value == 0.0 {
                return Err("the percentage must be above 0 and at most 100".into());
            }
            Ok(FeeLimit::Percent((value * 100.0).round() as u32))
        }
        None => Msat::parse_sats(text)
            .map(FeeLimit::Fixed)
            .map_err(|e| e.to_string()),
    }
}

fn fee_limit_text(limit: FeeLimit) -> String {
    match limit {
        FeeLimit::Fixed(msat) => msat.sats().to_string(),
        FeeLimit::Percent(bps) => format!("{}%", f64::from(bps) / 100.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fee_limits_parse_as_sats_or_percent() {
        assert_eq!(
            parse_fee_limit("10"),
            Ok(FeeLimit::Fixed(Msat::from_sat(10)))
        );
        assert_eq!(parse_fee_limit(" 1% "), Ok(FeeLimit::Percent(100)));
        assert_eq!(parse_fee_limit("0.5%"), Ok(FeeLimit::Percent(50)));
        assert!(parse_fee_limit("0%").is_err());
        assert!(parse_fee_limit("abc").is_err());
        assert_eq!(fee_limit_text(FeeLimit::Percent(50)), "0.5%");
    }

    #[test]
    fn a_zero_threshold_is_allowed() {
        assert_eq!(parse_sats_or_zero("0"), Ok(Msat::ZERO));
        assert_eq!(parse_sats_or_zero("1,000"), Ok(Msat::from_sat(1000)));
        assert!(parse_sats_or_zero("-1").is_err());
    }

    /// Type `text` one key at a time; the settings each keystroke saved.
    fn type_keys(
        screen: &mut Settings,
        stored: &mut Stored,
        text: &str,
        message: fn(String) -> Message,
    ) -> Vec<Stored> {
        let mut saved = Vec::new();
        for end in 1..=text.len() {
            if let Action::Changed(next) = screen.update(message(text[..end].into()), stored) {
                *stored = next.clone();
                saved.push(next);
            }
        }
        saved
    }

    #[test]
    fn half_typed_values_are_never_saved() {
        let mut stored = Stored::default();
        let mut screen = Settings::new(&stored);
        let saved = type_keys(&mut screen, &mut stored, "150%", Message::FeeLimitChanged);
        assert!(saved.is_empty(), "saved while typing: {saved:?}");
        assert!(
            screen
                .error(Field::FeeLimit)
                .unwrap()
                .contains("percentage")
        );
        let submitted = screen.update(Message::Submitted(Field::FeeLimit), &stored);
        assert!(
            matches!(submitted, Action::None),
            "an invalid value was saved"
        );
        assert_eq!(
            stored.default_fee_limit,
            Stored::default().default_fee_limit
        );

        let _ = type_keys(&mut screen, &mut stored, "2.5%", Message::FeeLimitChanged);
        let Action::Changed(next) = screen.update(Message::Submitted(Field::FeeLimit), &stored)
        else {
            panic!("a valid fee limit is saved on Enter");
        };
        assert_eq!(next.default_fee_limit, FeeLimit::Percent(250));
    }

    #[test]
    fn every_field_shows_its_own_error_and_leaving_saves_only_valid_ones() {
        let mut stored = Stored::default();
        let mut screen = Settings::new(&stored);
        let _ = type_keys(&mut screen, &mut stored, "abc", Message::SpamChanged);
        let _ = type_keys(&mut screen, &mut stored, "1x", Message::FeeLimitChanged);
        let _ = type_keys(&mut screen, &mut stored, "5000", Message::ConfirmChanged);
        assert!(screen.error(Field::Spam).unwrap().contains("abc"));
        assert!(screen.error(Field::FeeLimit).is_some());
        assert_eq!(screen.error(Field::Confirm), None);
        let Action::Changed(next) = screen.leave(&stored) else {
            panic!("the valid field is saved when leaving");
        };
        assert_eq!(next.confirm_above, Msat::from_sat(5_000));
        assert_eq!(next.spam_threshold, stored.spam_threshold);
        assert_eq!(next.default_fee_limit, stored.default_fee_limit);
        assert!(screen.error(Field::Spam).is_some(), "errors stay shown");
    }
}
