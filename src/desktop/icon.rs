//! The window's identity on the desktop: the icon (assets/satchel.png,
//! rendered from assets/satchel.svg) and the application id that matches the
//! `.desktop` entry's name, so docks group the window under its entry.

/// The application id: Wayland's app id, X11's WM_CLASS, and the base name
/// of `assets/linux/<APP_ID>.desktop`.
pub const APP_ID: &str = "org.satchel.Satchel";

/// The icon as PNG bytes (256 x 256, 8-bit RGBA).
pub const ICON_PNG: &[u8] = include_bytes!("../../assets/satchel.png");

/// The icon decoded to RGBA pixels: (width, height, pixels).
pub fn icon_rgba() -> Result<(u32, u32, Vec<u8>), String> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(ICON_PNG));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(|err| err.to_string())?;
    let mut pixels = vec![0; reader.output_buffer_size().ok_or("icon too large")?];
    let frame = reader
        .next_frame(&mut pixels)
        .map_err(|err| err.to_string())?;
    if frame.color_type != png::ColorType::Rgba {
        return Err(format!("the icon is {:?}, not RGBA", frame.color_type));
    }
    pixels.truncate(frame.buffer_size());
    Ok((frame.width, frame.height, pixels))
}

/// The window settings Satchel starts with: its icon and application id.
#[cfg(feature = "gui")]
pub fn window_settings() -> iced::window::Settings {
    let icon = icon_rgba()
        .and_then(|(w, h, pixels)| {
            iced::window::icon::from_rgba(pixels, w, h).map_err(|err| err.to_string())
        })
        .inspect_err(|err| log::warn!("window icon not set: {err}"))
        .ok();
    iced::window::Settings {
        icon,
        #[cfg(target_os = "linux")]
        platform_specific: iced::window::settings::PlatformSpecific {
            application_id: APP_ID.to_owned(),
            ..Default::default()
        },
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_icon_decodes_to_a_square_with_transparent_corners() {
        let (width, height, pixels) = icon_rgba().unwrap();
        assert_eq!((width, height), (256, 256));
        assert_eq!(pixels.len(), 256 * 256 * 4);
        assert_eq!(pixels[3], 0, "the corner is transparent");
        let centre = ((128 * 256 + 128) * 4) as usize;
        assert_eq!(pixels[centre + 3], 255, "the middle is opaque");
    }

    #[test]
    fn the_desktop_files_name_the_same_app() {
        let entry = include_str!("../../assets/linux/org.satchel.Satchel.desktop");
        assert!(entry.contains(&format!("Icon={APP_ID}\n")));
        assert!(entry.contains(&format!("StartupWMClass={APP_ID}\n")));
        assert!(entry.contains("Exec=satchel\n"));
        let metainfo = include_str!("../../assets/linux/org.satchel.Satchel.metainfo.xml");
        assert!(metainfo.contains(&format!("<id>{APP_ID}</id>")));
        assert!(metainfo.contains(&format!("{APP_ID}.desktop")));
        let deb = include_str!("../../Cargo.toml");
        for asset in [
            "org.satchel.Satchel.desktop",
            "org.satchel.Satchel.metainfo.xml",
            "satchel.png",
        ] {
            assert!(deb.contains(asset), "the .deb does not install {asset}");
        }
    }
}
