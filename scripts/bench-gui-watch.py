#!/usr/bin/env python3
"""Watch one X window closely for scripts/bench-gui.sh: every few
milliseconds read its title (WM_NAME) and its picture (XGetImage, through
libX11 with ctypes: one process, no tool started per poll), and print, in
seconds since EXEC (a `date +%s.%N` time):

  painted T   the first picture that is not one flat colour
  title T     the first title that matches TITLE (a regular expression)
  rows T      the first picture painted after the title matched that
              differs from the last one before it (or the first painted
              picture, when the title came first): what the window shows
              once the title says the inbox is loaded

It starts before the app (so its own start-up is not in the figures) and
finds the window itself: the first mapped top-level window whose name
starts with "Satchel" ("mapped T" is printed too).

Usage: bench-gui-watch.py DISPLAY EXEC TITLE [TIMEOUT_S]
"""

import ctypes
import ctypes.util
import hashlib
import re
import sys
import time


class XImage(ctypes.Structure):
    # Only the leading fields are read; the struct is used through a pointer.
    _fields_ = [
        ("width", ctypes.c_int),
        ("height", ctypes.c_int),
        ("xoffset", ctypes.c_int),
        ("format", ctypes.c_int),
        ("data", ctypes.POINTER(ctypes.c_char)),
        ("byte_order", ctypes.c_int),
        ("bitmap_unit", ctypes.c_int),
        ("bitmap_bit_order", ctypes.c_int),
        ("bitmap_pad", ctypes.c_int),
        ("depth", ctypes.c_int),
        ("bytes_per_line", ctypes.c_int),
        ("bits_per_pixel", ctypes.c_int),
    ]


class WindowAttributes(ctypes.Structure):
    _fields_ = [
        ("x", ctypes.c_int),
        ("y", ctypes.c_int),
        ("width", ctypes.c_int),
        ("height", ctypes.c_int),
        ("border_width", ctypes.c_int),
        ("depth", ctypes.c_int),
        ("visual", ctypes.c_void_p),
        ("root", ctypes.c_ulong),
        ("class_", ctypes.c_int),
        ("bit_gravity", ctypes.c_int),
        ("win_gravity", ctypes.c_int),
        ("backing_store", ctypes.c_int),
        ("backing_planes", ctypes.c_ulong),
        ("backing_pixel", ctypes.c_ulong),
        ("save_under", ctypes.c_int),
        ("colormap", ctypes.c_ulong),
        ("map_installed", ctypes.c_int),
        ("map_state", ctypes.c_int),
    ] + [("rest", ctypes.c_char * 256)]


def main():
    display_name, start, title = sys.argv[1:4]
    timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 120.0
    start, title = float(start), re.compile(title)
    x11 = ctypes.CDLL(ctypes.util.find_library("X11"))
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XGetImage.restype = ctypes.POINTER(XImage)
    x11.XGetImage.argtypes = [ctypes.c_void_p, ctypes.c_ulong] + [ctypes.c_int] * 2 + [
        ctypes.c_uint
    ] * 2 + [ctypes.c_ulong, ctypes.c_int]
    x11.XFetchName.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(ctypes.c_char_p)]
    x11.XGetWindowAttributes.argtypes = [
        ctypes.c_void_p,
        ctypes.c_ulong,
        ctypes.POINTER(WindowAttributes),
    ]
    x11.XFree.argtypes = [ctypes.c_void_p]
    x11.XSetErrorHandler.argtypes = [ctypes.c_void_p]
    # Ignore X errors (a window being resized or unmapped mid-read).
    handler = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)(lambda d, e: 0)
    x11.XSetErrorHandler(handler)
    display = x11.XOpenDisplay(display_name.encode())
    if not display:
        sys.exit("bench-gui-watch: cannot open the display")
    all_planes, z_pixmap, is_viewable = 0xFFFFFFFF, 2, 2
    x11.XDefaultRootWindow.restype = ctypes.c_ulong
    x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    x11.XQueryTree.argtypes = [
        ctypes.c_void_p,
        ctypes.c_ulong,
        ctypes.POINTER(ctypes.c_ulong),
        ctypes.POINTER(ctypes.c_ulong),
        ctypes.POINTER(ctypes.POINTER(ctypes.c_ulong)),
        ctypes.POINTER(ctypes.c_uint),
    ]
    root = x11.XDefaultRootWindow(display)

    def now():
        return time.time() - start

    def picture():
        attrs = WindowAttributes()
        if not x11.XGetWindowAttributes(display, window, ctypes.byref(attrs)):
            return None
        image = x11.XGetImage(display, window, 0, 0, attrs.width, attrs.height, all_planes, z_pixmap)
        if not image:
            return None
        size = image.contents.bytes_per_line * image.contents.height
        data = ctypes.string_at(image.contents.data, size)
        x11.XFree(image.contents.data)
        x11.XFree(image)
        return data

    def name(of):
        out = ctypes.c_char_p()
        if not x11.XFetchName(display, of, ctypes.byref(out)) or not out.value:
            return ""
        return out.value.decode("utf-8", "replace")

    def find():
        """The mapped top-level window named Satchel..., or None."""
        parent, root_out = ctypes.c_ulong(), ctypes.c_ulong()
        children, count = ctypes.POINTER(ctypes.c_ulong)(), ctypes.c_uint()
        if not x11.XQueryTree(
            display, root, ctypes.byref(root_out), ctypes.byref(parent),
            ctypes.byref(children), ctypes.byref(count),
        ):
            return None
        found = None
        for i in range(count.value):
            child = children[i]
            attrs = WindowAttributes()
            if (
                x11.XGetWindowAttributes(display, child, ctypes.byref(attrs))
                and attrs.map_state == is_viewable
                and name(child).startswith("Satchel")
            ):
                found = child
                break
        if children:
            x11.XFree(children)
        return found

    deadline = time.time() + timeout
    window = None
    while window is None and time.time() < deadline:
        window = find()
        if window is None:
            time.sleep(0.005)
    if window is None:
        sys.exit("bench-gui-watch: no window")
    print(f"mapped {now():.3f}")

    painted = titled = rows = None
    before_title = None  # digest of the last picture before the title matched
    while rows is None and time.time() < deadline:
        at = now()
        if titled is None and title.search(name(window)):
            titled = at
        data = picture()
        if data is not None:
            pixels = memoryview(data).cast("I")
            flat = len(set(pixels[:: max(1, len(pixels) // 4096)])) <= 16
            digest = hashlib.blake2b(data[::61], digest_size=16).digest()
            if painted is None and not flat:
                painted = at
            if titled is None:
                before_title = digest if not flat else before_title
            elif not flat and (before_title is None or digest != before_title):
                rows = at
        time.sleep(0.005)
    for label, value in (("painted", painted), ("title", titled), ("rows", rows)):
        print(f"{label} {value:.3f}" if value is not None else f"{label} none")


if __name__ == "__main__":
    main()
