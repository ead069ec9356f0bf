//! TODO: secret
