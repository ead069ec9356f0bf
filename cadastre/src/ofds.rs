//! ofds (to be written).
