//! Fiat amounts in a session: the rate is asked for at start, when the
//! setting is turned on or the currency changes, when a stale rate would be
//! shown, and on "Refresh". Never while the setting is off. The request goes
//! through the node's SOCKS proxy when it has one; a good answer is cached.

use iced::Task;

use super::{Action, Message, Session};
use crate::fiat::{FiatError, PriceSource, Quote};
use crate::gui::context::Context;

impl Session {
    /// The request for a rate, when fiat is on and none fresh is known or
    /// `force`; marks the state as fetching.
    pub(super) fn refresh_fiat(&self, context: &mut Context, force: bool) -> Task<Message> {
        let prefs = &context.settings.fiat;
        let now = crate::fiat::now();
        if !prefs.enabled
            || context.fiat.fetching
            || !(force || context.fiat.wants_refresh(&prefs.currency, now))
        {
            return Task::none();
        }
        context.fiat.fetching = true;
        let (url, currency) = (prefs.source.clone(), prefs.currency.clone());
        let proxy = self.proxy.clone();
        let cache = context.paths.cache_dir().to_path_buf();
        Task::perform(
            async move {
                let source = PriceSource::new(&url, proxy.as_ref())?;
                let quote = source.fetch(&currency, crate::fiat::now()).await?;
                if let Err(error) = crate::fiat::save_cached(&cache, &quote) {
                    log::warn!("fiat rate not cached: {error}");
                }
                Ok(quote)
            },
            Message::Fiat,
        )
    }

    /// The price source answered.
    pub(super) fn fiat_answered(
        &mut self,
        result: Result<Quote, FiatError>,
        context: &mut Context,
    ) -> Action {
        context.fiat.fetching = false;
        match result {
            Ok(quote) => {
                context.fiat.quote = Some(quote);
                context.fiat.error = None;
            }
            Err(error) => {
                log::warn!("fiat rate: {error}");
                context.fiat.error = Some(error.to_string());
            }
        }
        Action::None
    }
}
