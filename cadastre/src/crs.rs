//! crs (to be written).
