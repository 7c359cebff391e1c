//! Which renderer draws the window: the GPU (wgpu) or the CPU (tiny-skia).
//!
//! iced 0.14 reads the choice only from the `ICED_BACKEND` environment
//! variable, when it creates the window. A process cannot safely change its
//! own environment once it may have threads (and this crate forbids
//! `unsafe`), so when Satchel wants the CPU renderer and the variable is not
//! set, it executes itself again with the variable set: same arguments, same
//! process id, before any thread, lock, runtime or window exists.
//!
//! "auto" picks the CPU on machines without a GPU device (virtual machines,
//! remote desktops, containers), where wgpu would run on Mesa's software
//! OpenGL: measured under Xvfb, the first frame took 0.55 s with wgpu on
//! llvmpipe against 0.24 s with tiny-skia, and the window held ~100 MB more.

use std::ffi::OsString;
use std::path::Path;

use crate::gui::renderer::{BACKEND_ENV, CPU_BACKEND};
use crate::store::{Paths, RendererChoice};

/// What the start-up should do about the renderer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Start the window as we are; the reason is logged.
    Keep(&'static str),
    /// Execute ourselves again with `ICED_BACKEND` set to this value.
    Relaunch(&'static str),
}

/// Decide from the `--renderer` flag, the saved setting, the current
/// `ICED_BACKEND` and whether the machine has a GPU. An explicit variable
/// wins, then the flag, then the setting.
pub fn plan(
    flag: Option<RendererChoice>,
    setting: RendererChoice,
    env_backend: Option<&str>,
    has_gpu: bool,
) -> Plan {
    if env_backend.is_some_and(|value| !value.trim().is_empty()) {
        return Plan::Keep("ICED_BACKEND is set: using it");
    }
    match flag.unwrap_or(setting) {
        RendererChoice::Gpu => Plan::Keep("renderer: GPU (wgpu, falling back to the CPU)"),
        RendererChoice::Cpu => Plan::Relaunch(CPU_BACKEND),
        RendererChoice::Auto if has_gpu => Plan::Keep("renderer: auto, a GPU device was found"),
        RendererChoice::Auto => Plan::Relaunch(CPU_BACKEND),
    }
}

/// Apply the renderer choice for the profile at `paths`. Returns only if
/// the window should start in this process (including when relaunching
/// failed: then iced's default applies, which still falls back to the CPU).
pub fn apply(flag: Option<RendererChoice>, paths: &Paths) {
    let env_backend = std::env::var(BACKEND_ENV).ok();
    let setting = saved_choice(&paths.settings_file());
    match plan(flag, setting, env_backend.as_deref(), has_gpu()) {
        Plan::Keep(reason) => log::debug!("{reason}"),
        Plan::Relaunch(backend) => {
            log::debug!("renderer: {backend}, relaunching with {BACKEND_ENV}={backend}");
            let err = relaunch(backend);
            log::warn!("could not restart with the CPU renderer ({err}); using iced's default");
        }
    }
}

/// The `renderer` field of settings.json, read without side effects: a
/// missing, unreadable or damaged file means "auto" here, and the app's
/// own settings load reports and quarantines damage as usual afterwards.
pub fn saved_choice(file: &Path) -> RendererChoice {
    #[derive(serde::Deserialize)]
    struct Peek {
        #[serde(default)]
        renderer: RendererChoice,
    }
    std::fs::read(file)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Peek>(&bytes).ok())
        .map_or(RendererChoice::Auto, |peek| peek.renderer)
}

/// True when the machine exposes a GPU to us. On Linux and the BSDs that is
/// a DRM render node (`/dev/dri/renderD*`, every Mesa and recent NVIDIA
/// driver) or NVIDIA's own device; macOS and Windows always have one.
pub fn has_gpu() -> bool {
    if cfg!(any(target_os = "macos", windows)) {
        return true;
    }
    gpu_device_in(Path::new("/dev/dri")) || Path::new("/dev/nvidia0").exists()
}

/// True when `dir` holds a DRM render node.
fn gpu_device_in(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|entry| entry.file_name().to_string_lossy().starts_with("renderD"))
    })
}

/// Replace this process with a fresh copy of itself, `ICED_BACKEND` set.
/// Returns only on failure.
#[cfg(unix)]
fn relaunch(backend: &str) -> std::io::Error {
    use std::os::unix::process::CommandExt;
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(err) => return err,
    };
    let mut args = std::env::args_os();
    let argv0 = args.next().unwrap_or_else(|| OsString::from("satchel"));
    std::process::Command::new(exe)
        .arg0(argv0)
        .args(args)
        .env(BACKEND_ENV, backend)
        .exec()
}

/// Elsewhere there is no exec: run the copy as a child and exit with its code.
#[cfg(not(unix))]
fn relaunch(backend: &str) -> std::io::Error {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(err) => return err,
    };
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    match std::process::Command::new(exe)
        .args(args)
        .env(BACKEND_ENV, backend)
        .status()
    {
        Ok(status) => std::process::exit(status.code().unwrap_or(1)),
        Err(err) => err,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_uses_the_cpu_only_without_a_gpu() {
        let auto = RendererChoice::Auto;
        assert_eq!(plan(None, auto, None, false), Plan::Relaunch("tiny-skia"));
        assert!(matches!(plan(None, auto, None, true), Plan::Keep(_)));
    }

    #[test]
    fn the_flag_beats_the_setting() {
        let cpu = Some(RendererChoice::Cpu);
        let gpu = Some(RendererChoice::Gpu);
        assert_eq!(
            plan(cpu, RendererChoice::Gpu, None, true),
            Plan::Relaunch("tiny-skia")
        );
        assert!(matches!(
            plan(gpu, RendererChoice::Cpu, None, false),
            Plan::Keep(_)
        ));
    }

    #[test]
    fn an_explicit_variable_beats_everything_and_prevents_a_loop() {
        let cpu = Some(RendererChoice::Cpu);
        assert!(matches!(
            plan(cpu, RendererChoice::Cpu, Some("tiny-skia"), false),
            Plan::Keep(_)
        ));
        assert!(matches!(
            plan(None, RendererChoice::Auto, Some("wgpu"), false),
            Plan::Keep(_)
        ));
        // An empty variable counts as unset.
        assert_eq!(
            plan(None, RendererChoice::Auto, Some(" "), false),
            Plan::Relaunch("tiny-skia")
        );
    }

    #[test]
    fn the_saved_choice_is_read_without_touching_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("settings.json");
        assert_eq!(saved_choice(&file), RendererChoice::Auto);
        std::fs::write(&file, br#"{"version":1,"renderer":"gpu","theme":"dark"}"#).unwrap();
        assert_eq!(saved_choice(&file), RendererChoice::Gpu);
        std::fs::write(&file, b"{ not json").unwrap();
        assert_eq!(saved_choice(&file), RendererChoice::Auto);
        assert_eq!(std::fs::read(&file).unwrap(), b"{ not json");
        std::fs::write(&file, br#"{"renderer":"metal"}"#).unwrap();
        assert_eq!(saved_choice(&file), RendererChoice::Auto);
    }

    #[test]
    fn render_nodes_are_found_by_name() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!gpu_device_in(dir.path()));
        std::fs::write(dir.path().join("card0"), b"").unwrap();
        assert!(!gpu_device_in(dir.path()));
        std::fs::write(dir.path().join("renderD128"), b"").unwrap();
        assert!(gpu_device_in(dir.path()));
        assert!(!gpu_device_in(&dir.path().join("missing")));
    }
}
