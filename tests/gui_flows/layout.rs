//! How screens look where a scroll area ends: rendered headless (tiny-skia,
//! the renderer iced falls back to without a GPU) and read back as pixels.

use satchel::gui::session::Message as SessionMessage;
use satchel::gui::{Message, Screen};
use satchel::store::{ContactBook, NewContact};

use super::gui_support::Harness;

/// The rendered window as RGBA rows (the PNG iced_test writes).
pub(super) struct Picture {
    width: usize,
    height: usize,
    pub(super) rgba: Vec<u8>,
}

impl Picture {
    pub(super) fn of(h: &Harness) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        h.render(dir.path(), "screen");
        let file = std::fs::read_dir(dir.path())
            .expect("rendered")
            .filter_map(Result::ok)
            .find(|e| e.path().extension().is_some_and(|x| x == "png"))
            .expect("a png was written")
            .path();
        Self::read(&file)
    }

    /// A PNG file's pixels.
    pub(super) fn read(file: &std::path::Path) -> Self {
        let decoder = png::Decoder::new(std::io::BufReader::new(
            std::fs::File::open(file).expect("png readable"),
        ));
        let mut reader = decoder.read_info().expect("png header");
        let mut rgba = vec![0; reader.output_buffer_size().expect("png size")];
        let info = reader.next_frame(&mut rgba).expect("png pixels");
        assert_eq!(info.color_type, png::ColorType::Rgba, "iced writes RGBA");
        Self {
            width: info.width as usize,
            height: info.height as usize,
            rgba,
        }
    }

    fn pixel(&self, x: usize, y: usize) -> [u8; 4] {
        let at = (y * self.width + x) * 4;
        [
            self.rgba[at],
            self.rgba[at + 1],
            self.rgba[at + 2],
            self.rgba[at + 3],
        ]
    }
}

/// Below the contacts list sits the Import / export bar, then the page's
/// bottom padding. A contact card scrolled half out of the list must not
/// show there: a card's shadow drawn by the CPU renderer ignores the
/// scroll area's clip and left a grey block under the bar.
#[test]
fn nothing_from_the_contacts_list_shows_below_the_import_bar() {
    let mut contacts = ContactBook::new();
    for (name, id, note) in satchel::sim::demo_contacts() {
        let mut new = NewContact::new(name, id);
        new.note = note;
        let _ = contacts.add(new).expect("demo contact");
    }
    let mut h = Harness::start(0, Harness::quiet_settings(), contacts);
    h.update(Message::Session(SessionMessage::Navigate(Screen::Contacts)));
    assert!(h.shows("Import / export"));
    let picture = Picture::of(&h);
    // A line in the bottom padding, right of the sidebar (a sixth of the width).
    let y = picture.height - picture.height / 50;
    let background = picture.pixel(picture.width - 2, y);
    let stray: Vec<usize> = (picture.width / 5..picture.width)
        .filter(|x| picture.pixel(*x, y) != background)
        .collect();
    assert!(
        stray.is_empty(),
        "{} pixels on line {y} differ from the page background {background:?}, from x={:?} \
         (first {:?})",
        stray.len(),
        stray.first(),
        stray.first().map(|x| picture.pixel(*x, y))
    );
}
