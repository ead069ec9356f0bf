//! Tests of the counter laws.
