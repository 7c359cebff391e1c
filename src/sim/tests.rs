//! Tests (under construction).
