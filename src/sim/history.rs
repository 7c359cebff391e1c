//! Seeded history and demo traffic (under construction).
