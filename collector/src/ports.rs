//! TODO: ports
