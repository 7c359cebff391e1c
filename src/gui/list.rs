//! Virtual lists: with a fixed row height, only the rows inside the
//! scrollable's viewport (plus a few either side) are built; spacers above
//! and below keep the scrollbar honest. `view()` cost stays flat whether the
//! history has 10 rows or 100,000.

use iced::widget::{Column, column, scrollable, space};
use iced::{Element, Length};

/// Rows built beyond each edge of the viewport, so fast scrolling never shows a gap.
const OVERSCAN: usize = 4;
/// Assumed viewport height before the scrollable first reports one.
const DEFAULT_HEIGHT: f32 = 900.0;

/// Where the list's viewport is, as last reported by the scrollable.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Viewport {
    /// Scrolled distance from the top, in pixels.
    pub offset: f32,
    /// Visible height, in pixels.
    pub height: f32,
}

impl Default for Viewport {
    fn default() -> Self {
        Self {
            offset: 0.0,
            height: DEFAULT_HEIGHT,
        }
    }
}

impl From<scrollable::Viewport> for Viewport {
    fn from(viewport: scrollable::Viewport) -> Self {
        Self {
            offset: viewport.absolute_offset().y,
            height: viewport.bounds().height,
        }
    }
}

/// The slice of rows to build, and the empty space around it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    /// First row index to build.
    pub start: usize,
    /// One past the last row index to build.
    pub end: usize,
    /// Height of the spacer above the first built row.
    pub above: f32,
    /// Height of the spacer below the last built row.
    pub below: f32,
}

impl Window {
    /// Rows in the window.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// No rows to build.
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

/// The rows of a `total`-row list of `row_height` pixels each that a
/// viewport shows.
pub fn window(total: usize, row_height: f32, viewport: Viewport) -> Window {
    let offset = viewport.offset.max(0.0);
    let first_visible = (offset / row_height).floor() as usize;
    let visible = (viewport.height.max(0.0) / row_height).ceil() as usize + 1;
    let start = first_visible.saturating_sub(OVERSCAN).min(total);
    let end = first_visible
        .saturating_add(visible)
        .saturating_add(OVERSCAN)
        .min(total);
    Window {
        start,
        end,
        above: start as f32 * row_height,
        below: (total - end) as f32 * row_height,
    }
}

/// A scrollable list of `total` rows of `row_height` pixels that builds only
/// the visible ones with `row(index)`.
pub fn virtual_list<'a, M: 'a>(
    total: usize,
    row_height: f32,
    viewport: Viewport,
    row: impl Fn(usize) -> Element<'a, M>,
    on_scroll: impl Fn(Viewport) -> M + 'a,
) -> Element<'a, M> {
    virtual_list_with_id("virtual-list", total, row_height, viewport, row, on_scroll)
}

/// [`virtual_list`] with the scrollable's `id`, so its owner can scroll it.
pub fn virtual_list_with_id<'a, M: 'a>(
    id: &'static str,
    total: usize,
    row_height: f32,
    viewport: Viewport,
    row: impl Fn(usize) -> Element<'a, M>,
    on_scroll: impl Fn(Viewport) -> M + 'a,
) -> Element<'a, M> {
    let window = window(total, row_height, viewport);
    let rows: Column<'a, M> = (window.start..window.end).fold(column![], |col, index| {
        col.push(iced::widget::container(row(index)).height(row_height))
    });
    let content = column![
        space().height(window.above),
        rows,
        space().height(window.below)
    ]
    .width(Length::Fill);
    scrollable(content)
        .id(id)
        .spacing(4)
        .on_scroll(move |v| on_scroll(v.into()))
        .height(Length::Fill)
        .width(Length::Fill)
        .into()
}

/// Arrow keys and j/k over a `total`-row list: the row `by` rows from
/// `cursor` (the first row when none), clamped to the list, and the scroll
/// offset that brings it into view (`None`: in view already). `None` for
/// an empty list.
pub fn move_cursor(
    cursor: Option<usize>,
    by: i64,
    total: usize,
    row_height: f32,
    viewport: Viewport,
) -> Option<(usize, Option<f32>)> {
    let last = total.checked_sub(1)?;
    let at = match cursor {
        Some(at) => (at as i64).saturating_add(by).clamp(0, last as i64) as usize,
        None => 0,
    };
    let top = at as f32 * row_height;
    let bottom = top + row_height;
    let offset = if top < viewport.offset {
        Some(top)
    } else if bottom > viewport.offset + viewport.height {
        Some((bottom - viewport.height).max(0.0))
    } else {
        None
    };
    Some((at, offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(offset: f32, height: f32) -> Viewport {
        Viewport { offset, height }
    }

    #[test]
    fn windows_cover_the_viewport_with_overscan() {
        // (total, offset, height) -> (start, end)
        let cases = [
            (0, 0.0, 600.0, 0, 0),
            (5, 0.0, 600.0, 0, 5),
            (100_000, 0.0, 600.0, 0, 15),
            (100_000, 6_000.0, 600.0, 96, 115),
            (100_000, 6_000_000.0, 600.0, 99_996, 100_000),
            (100_000, -50.0, 600.0, 0, 15),
            (20, 1_000.0, 600.0, 12, 20),
        ];
        for (total, offset, height, start, end) in cases {
            let w = window(total, 60.0, at(offset, height));
            assert_eq!(
                (w.start, w.end),
                (start, end),
                "total {total} offset {offset}"
            );
            let covered = w.above + w.len() as f32 * 60.0 + w.below;
            assert!(
                (covered - total as f32 * 60.0).abs() < 0.5,
                "spacers keep the height"
            );
        }
    }

    #[test]
    fn window_size_does_not_grow_with_history() {
        let small = window(1_000, 60.0, at(30_000.0, 800.0));
        let huge = window(1_000_000, 60.0, at(30_000.0, 800.0));
        assert_eq!(small.len(), huge.len());
        assert!(huge.len() < 30);
    }

    #[test]
    fn the_cursor_moves_clamped_and_scrolls_into_view() {
        let view = at(0.0, 100.0);
        assert_eq!(move_cursor(None, 1, 0, 10.0, view), None, "empty");
        assert_eq!(move_cursor(None, 1, 5, 10.0, view), Some((0, None)));
        assert_eq!(move_cursor(Some(4), 1, 5, 10.0, view), Some((4, None)));
        assert_eq!(move_cursor(Some(0), -1, 5, 10.0, view), Some((0, None)));
        assert_eq!(
            move_cursor(Some(10), 1, 50, 10.0, view),
            Some((11, Some(20.0)))
        );
        assert_eq!(
            move_cursor(Some(3), -1, 50, 10.0, at(30.0, 100.0)),
            Some((2, Some(20.0)))
        );
    }
}
