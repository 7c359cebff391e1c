//! `satchel completions <shell>` and `satchel man`: shell completion scripts
//! and the man page, generated from the clap definitions in [`super::args`]
//! so they never drift from `--help`.

use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell;

use super::args::Cli;
use super::exit::CliError;

/// The completion script for `shell`.
pub fn completions(shell: Shell) -> Vec<u8> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "satchel", &mut out);
    out
}

/// The man page, in roff: the top-level page with every subcommand's
/// options, and the exit codes.
pub fn man_page() -> Result<Vec<u8>, CliError> {
    let command = Cli::command();
    let man = clap_mangen::Man::new(command.clone());
    let mut out = Vec::new();
    let written = man.render(&mut out).and_then(|()| {
        for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
            let heading = format!(".SH \"SATCHEL {}\"\n", sub.get_name().to_uppercase());
            out.write_all(heading.as_bytes())?;
            let page = clap_mangen::Man::new(sub.clone());
            page.render_description_section(&mut out)?;
            page.render_options_section(&mut out)?;
            if sub.has_subcommands() {
                page.render_subcommands_section(&mut out)?;
            }
        }
        Ok(())
    });
    written.map_err(|err| CliError::BadInput(format!("could not write the man page: {err}")))?;
    Ok(out)
}

/// Write `bytes` to stdout.
pub fn print(bytes: &[u8]) -> Result<(), CliError> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .map_err(|err| CliError::BadInput(format!("could not write to stdout: {err}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(bytes: Vec<u8>) -> String {
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn completions_know_the_subcommands_and_flags() {
        for (shell, marker) in [
            (Shell::Bash, "complete -F"),
            (Shell::Zsh, "#compdef satchel"),
            (Shell::Fish, "complete -c satchel"),
        ] {
            let script = text(completions(shell));
            assert!(script.contains(marker), "{shell}: {script}");
            for word in ["inbox", "send", "contacts", "lndconnect", "completions"] {
                assert!(script.contains(word), "{shell} lacks {word}");
            }
        }
    }

    #[test]
    fn the_man_page_covers_commands_options_and_exit_codes() {
        let page = text(man_page().unwrap());
        assert!(
            page.starts_with(".ie") || page.contains(".TH satchel"),
            "{page}"
        );
        for word in [
            ".TH satchel 1",
            "SATCHEL SEND",
            "SATCHEL INBOX",
            "\\-\\-fee\\-limit",
            "\\-\\-lndconnect",
            "Exit codes",
        ] {
            assert!(page.contains(word), "man page lacks {word}");
        }
    }
}
