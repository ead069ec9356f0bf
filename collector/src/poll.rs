//! TODO: poll
