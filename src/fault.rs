//! Fault injection points for the reliability tests (RELIABILITY.md).
//!
//! Code that must survive a crash at a precise moment calls
//! [`point`] with a fixed name there. In normal runs this is one environment
//! lookup and nothing else. When the variable [`PAUSE_ENV`] names the point,
//! the process announces it on stderr and sleeps, so a test can kill it
//! (SIGKILL) exactly there and check what a restart makes of the state left
//! on disk and on the node.

use std::io::Write;
use std::time::Duration;

/// Environment variable naming the point to pause at.
pub const PAUSE_ENV: &str = "SATCHEL_FAULT_PAUSE";
/// Journal entry persisted, `SendPaymentV2` not yet called.
pub const BEFORE_DISPATCH: &str = "before-dispatch";
/// `SendPaymentV2` called and its first update received.
pub const AFTER_DISPATCH: &str = "after-dispatch";
/// How long a paused process waits to be killed before carrying on.
pub const PAUSE_FOR: Duration = Duration::from_secs(120);

/// Pause here (see the module docs) when [`PAUSE_ENV`] equals `name`.
pub fn point(name: &str) {
    if !armed(name) {
        return;
    }
    announce(name);
    std::thread::sleep(PAUSE_FOR);
}

/// Whether the environment asks to pause at `name`.
fn armed(name: &str) -> bool {
    std::env::var_os(PAUSE_ENV).is_some_and(|value| value == name)
}

/// The line tests wait for, flushed so it is seen before the pause.
pub fn announcement(name: &str) -> String {
    format!("fault: paused at {name}")
}

fn announce(name: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{}", announcement(name));
    let _ = stderr.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unarmed_points_return_at_once() {
        // The variable is never set by the unit tests; a pause would hang here.
        let started = std::time::Instant::now();
        point("a-point-nobody-arms");
        assert!(started.elapsed() < Duration::from_secs(1));
        assert!(!armed("a-point-nobody-arms"));
    }

    #[test]
    fn the_announcement_names_the_point() {
        assert_eq!(
            announcement(BEFORE_DISPATCH),
            "fault: paused at before-dispatch"
        );
        assert_eq!(
            announcement(AFTER_DISPATCH),
            "fault: paused at after-dispatch"
        );
    }
}
