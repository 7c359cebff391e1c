//! Which renderer draws this window. iced picks it from `ICED_BACKEND` when
//! it creates the window (the start-up in `cli::renderer` sets the variable
//! from the user's choice), so it is fixed for the life of the process.
//!
//! The look needs to know: iced 0.14's CPU renderer repaints only the
//! bounds of what changed, not the shadow drawn outside them (iced issues
//! #2712, #3359), so a card that goes away leaves its shadow's edge behind
//! as a stray grey line. Under the CPU renderer cards have no shadow.

use std::sync::OnceLock;

use crate::store::RendererChoice;

/// iced's environment variable naming the renderers to try, in order.
pub const BACKEND_ENV: &str = "ICED_BACKEND";
/// iced's name for the CPU renderer.
pub const CPU_BACKEND: &str = "tiny-skia";

/// What draws this window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drawn {
    /// tiny-skia, on the CPU.
    Cpu,
    /// wgpu; iced falls back to the CPU by itself if wgpu cannot start.
    Gpu,
}

impl Drawn {
    /// This process's renderer (the variable is read once).
    pub fn current() -> Self {
        static CURRENT: OnceLock<Drawn> = OnceLock::new();
        *CURRENT.get_or_init(|| Self::from_env(std::env::var(BACKEND_ENV).ok().as_deref()))
    }

    /// iced tries the comma-separated renderers in order (wgpu first when
    /// unset), so the first one named decides.
    pub fn from_env(value: Option<&str>) -> Self {
        let first = value
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .find(|name| !name.is_empty());
        match first {
            Some(name) if name.eq_ignore_ascii_case(CPU_BACKEND) => Self::Cpu,
            _ => Self::Gpu,
        }
    }

    /// The Settings screen's line about this window.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Cpu => "This window: CPU (tiny-skia).",
            Self::Gpu => "This window: GPU (wgpu), or the CPU if the GPU could not start.",
        }
    }

    /// Whether `choice` differs from what draws this window now (auto
    /// depends on the machine, so it never claims to).
    pub fn differs_from(self, choice: RendererChoice) -> bool {
        matches!(
            (self, choice),
            (Self::Cpu, RendererChoice::Gpu) | (Self::Gpu, RendererChoice::Cpu)
        )
    }

    /// Whether soft shadows can be drawn without leaving traces.
    pub fn draws_shadows_cleanly(self) -> bool {
        self == Self::Gpu
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_backend_named_decides() {
        let cases = [
            (None, Drawn::Gpu),
            (Some(""), Drawn::Gpu),
            (Some("tiny-skia"), Drawn::Cpu),
            (Some(" Tiny-Skia "), Drawn::Cpu),
            (Some("tiny-skia,wgpu"), Drawn::Cpu),
            (Some(",tiny-skia"), Drawn::Cpu),
            (Some("wgpu"), Drawn::Gpu),
            (Some("wgpu,tiny-skia"), Drawn::Gpu),
        ];
        for (value, drawn) in cases {
            assert_eq!(Drawn::from_env(value), drawn, "{value:?}");
        }
    }

    #[test]
    fn only_a_definite_change_asks_for_a_restart() {
        assert!(Drawn::Gpu.differs_from(RendererChoice::Cpu));
        assert!(Drawn::Cpu.differs_from(RendererChoice::Gpu));
        for drawn in [Drawn::Cpu, Drawn::Gpu] {
            assert!(!drawn.differs_from(RendererChoice::Auto));
        }
        assert!(!Drawn::Cpu.differs_from(RendererChoice::Cpu));
        assert!(!Drawn::Gpu.differs_from(RendererChoice::Gpu));
    }

    #[test]
    fn the_window_line_names_the_renderer() {
        assert_eq!(Drawn::Cpu.describe(), "This window: CPU (tiny-skia).");
        assert!(Drawn::Gpu.describe().starts_with("This window: GPU (wgpu)"));
        assert!(!Drawn::Cpu.draws_shadows_cleanly());
    }
}
