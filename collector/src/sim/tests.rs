//! Tests of the simulator over real UDP.
