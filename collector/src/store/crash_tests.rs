//! The kill -9 test.
