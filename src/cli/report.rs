//! Talking to the person at the terminal: error lines with the next step,
//! progress on stderr, yes/no confirmation, and JSON on stdout.

use std::io::{self, BufRead, IsTerminal, Write};

use serde::Serialize;

use super::exit::CliError;
use crate::keysend::Msat;
use crate::keysend::text::display_safe;

/// Longest alias or name shown (aliases are 32 bytes in LND; names are ours).
pub const NAME_CHARS: usize = 48;

/// Print a failure as one line, then the next step when there is one.
pub fn print_error(err: &CliError) {
    let mut stderr = io::stderr().lock();
    let _ = writeln!(stderr, "error: {err}");
    if let Some(step) = err.next_step() {
        let _ = writeln!(stderr, "  next: {step}");
    }
}

/// A progress or status line on stderr (keeps stdout clean for data).
pub fn progress(line: &str) {
    let _ = writeln!(io::stderr().lock(), "{line}");
}

/// Print a value as pretty JSON on stdout.
pub fn print_json<T: Serialize + ?Sized>(value: &T) -> Result<(), CliError> {
    let text =
        serde_json::to_string_pretty(value).map_err(|err| CliError::Other(err.to_string()))?;
    println!("{text}");
    Ok(())
}

/// Print a value as one line of JSON on stdout (for streams), flushed.
pub fn print_json_line<T: Serialize + ?Sized>(value: &T) -> Result<(), CliError> {
    let text = serde_json::to_string(value).map_err(|err| CliError::Other(err.to_string()))?;
    let mut stdout = io::stdout().lock();
    let _ = writeln!(stdout, "{text}");
    let _ = stdout.flush();
    Ok(())
}

/// An amount in whole sats (rounded down), for balances and payment
/// amounts; fees keep their msat (`Msat`'s own display). An amount under one
/// sat keeps its msat, so it never reads as zero.
pub fn sats(amount: Msat) -> String {
    amount.whole().to_string()
}

/// Untrusted text (alias, name, message) made safe for one terminal line.
pub fn safe(text: &str, max_chars: usize) -> String {
    display_safe(text, max_chars)
}

/// Unix seconds as local `YYYY-MM-DD HH:MM`.
pub fn local_time(unix_secs: i64) -> String {
    chrono::DateTime::from_timestamp(unix_secs, 0).map_or_else(
        || "unknown time".to_owned(),
        |utc| {
            utc.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        },
    )
}

/// Ask `question [y/N]` on the terminal. Without `--yes` and without a
/// terminal, refuse rather than guess.
pub fn confirm(question: &str, assume_yes: bool) -> Result<(), CliError> {
    if assume_yes {
        return Ok(());
    }
    if !io::stdin().is_terminal() {
        return Err(CliError::NeedsConfirmation);
    }
    eprint!("{question} [y/N] ");
    let _ = io::stderr().flush();
    let mut answer = String::new();
    let _ = io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|err| CliError::Other(format!("cannot read the answer: {err}")))?;
    match is_yes(&answer) {
        true => Ok(()),
        false => Err(CliError::Declined),
    }
}

/// `y` or `yes`, any case.
fn is_yes(answer: &str) -> bool {
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_yes_confirms() {
        for (answer, expected) in [
            ("y\n", true),
            ("YES", true),
            (" yes ", true),
            ("", false),
            ("n", false),
            ("yep", false),
        ] {
            assert_eq!(is_yes(answer), expected, "{answer:?}");
        }
    }

    #[test]
    fn yes_flag_skips_the_question() {
        assert!(confirm("send?", true).is_ok());
    }

    #[test]
    fn summaries_show_whole_sats() {
        assert_eq!(sats(Msat(8_701_656_996)), "8,701,656 sat");
        assert_eq!(sats(Msat::from_sat(21)), "21 sat");
        assert_eq!(sats(Msat(999)), "0.999 sat");
        assert_eq!(sats(Msat::ZERO), "0 sat");
    }

    #[test]
    fn safe_strips_controls() {
        assert_eq!(safe("ali\u{202e}ce\x1b[2J", 48), "alice[2J");
    }
}
