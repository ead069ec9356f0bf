//! Integration tests of irisops: real agents and servers on 127.0.0.1.
