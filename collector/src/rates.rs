//! TODO: rates
