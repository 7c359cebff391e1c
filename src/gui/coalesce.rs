//! "One running, one more after": work that must not run twice at once
//! (a reload, a count, a backfill) but must not miss a request made while it
//! runs either. However often it is asked for meanwhile, one more run
//! follows, with the state of then.

/// The latch of one kind of work.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Coalesced {
    running: bool,
    again: bool,
}

impl Coalesced {
    /// Asked to run: `true` to start now; `false` when one is running (one
    /// more then runs after it).
    #[must_use]
    pub fn start(&mut self) -> bool {
        if self.running {
            self.again = true;
            return false;
        }
        (self.running, self.again) = (true, false);
        true
    }

    /// The run ended: `true` when another was asked for meanwhile (the
    /// caller starts it with [`Coalesced::start`]).
    #[must_use]
    pub fn finish(&mut self) -> bool {
        self.running = false;
        std::mem::take(&mut self.again)
    }

    /// Whether a run is going on.
    pub fn is_running(&self) -> bool {
        self.running
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_runs_and_one_more_after_however_often_asked() {
        let mut work = Coalesced::default();
        assert!(!work.finish(), "nothing asked, nothing after");
        assert!(work.start());
        assert!(work.is_running());
        assert!(!work.start());
        assert!(!work.start());
        assert!(work.finish(), "asked meanwhile: one more");
        assert!(!work.is_running());
        assert!(work.start());
        assert!(!work.finish(), "that one was the last");
        assert!(work.start(), "idle again: starts at once");
        assert!(!work.finish());
    }
}
