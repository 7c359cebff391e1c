//! Fault injection points for reliability tests (under construction).
