//! SNMP transport.
