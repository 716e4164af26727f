//! Spark datetime parsing: CAST-style strings and java.time patterns.

pub mod cast;
pub mod interval;
pub mod pattern;
