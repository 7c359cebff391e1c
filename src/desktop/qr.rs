//! A QR code of a short text (your node's public key), as a square of dark
//! and light modules with the standard 4-module quiet zone, and drawn as an
//! iced element (rows of runs of dark squares; no image or canvas feature).

/// The light border the standard asks for around the code, in modules.
pub const QUIET_ZONE: usize = 4;

/// The modules of `text`'s QR code, row by row, quiet zone included:
/// `(width, dark?)` with `dark.len() == width * width`.
pub fn modules(text: &str) -> Result<(usize, Vec<bool>), String> {
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M)
        .map_err(|err| format!("no QR code for this text: {err}"))?;
    let inner = code.width();
    let dark: Vec<bool> = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    let width = inner + 2 * QUIET_ZONE;
    let mut out = vec![false; width * width];
    for y in 0..inner {
        for x in 0..inner {
            out[(y + QUIET_ZONE) * width + x + QUIET_ZONE] = dark[y * inner + x];
        }
    }
    Ok((width, out))
}

/// `text` as a QR code, `module` pixels per module, dark on white (the
/// white stays in the dark theme: scanners need the contrast).
#[cfg(feature = "gui")]
pub fn view<'a, M: 'a>(text: &str, module: f32) -> iced::Element<'a, M> {
    use iced::widget::{column, container, row, space, text as label};
    let Ok((width, dark)) = modules(text) else {
        return label("(no QR code)").into();
    };
    let square = |run: usize, on: bool| -> iced::Element<'a, M> {
        let cell = space().width(module * run as f32).height(module + OVERLAP);
        match on {
            true => container(cell)
                .style(|_| container::background(iced::Color::BLACK))
                .into(),
            false => cell.into(),
        }
    };
    // Each row is drawn a little taller and overlaps the next, so the rows
    // of a dark area meet without an anti-aliased seam.
    const OVERLAP: f32 = 0.5;
    let mut rows = column![].spacing(-OVERLAP);
    for y in 0..width {
        let line = &dark[y * width..(y + 1) * width];
        let mut cells = row![];
        let mut x = 0;
        while x < width {
            let on = line[x];
            let run = line[x..].iter().take_while(|&&d| d == on).count();
            cells = cells.push(square(run, on));
            x += run;
        }
        rows = rows.push(cells);
    }
    container(rows)
        .style(|_| container::background(iced::Color::WHITE))
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";

    #[test]
    fn a_public_key_makes_a_square_code_with_finder_patterns() {
        let (width, dark) = modules(KEY).unwrap();
        assert_eq!(dark.len(), width * width);
        assert!(width >= 21 + 2 * QUIET_ZONE);
        let at = |x: usize, y: usize| dark[(y + QUIET_ZONE) * width + x + QUIET_ZONE];
        let inner = width - 2 * QUIET_ZONE;
        // The three 7x7 finder squares: a dark ring, a light ring, a dark 3x3 core.
        for (ox, oy) in [(0, 0), (inner - 7, 0), (0, inner - 7)] {
            for i in 0..7 {
                assert!(
                    at(ox + i, oy) && at(ox + i, oy + 6) && at(ox, oy + i) && at(ox + 6, oy + i)
                );
            }
            assert!(!at(ox + 1, oy + 1) && at(ox + 3, oy + 3));
        }
        assert!(dark[..QUIET_ZONE * width].iter().all(|d| !d), "quiet zone");
        assert_ne!(
            modules(KEY).unwrap().1,
            modules(&KEY.replace('7', "8")).unwrap().1
        );
    }
}
