//! One module per group of operations.

pub mod backups;
pub mod batch;
pub mod common;
pub mod insights;
pub mod items;
pub mod legacy;
pub mod partiql;
pub mod pitr;
pub mod policies;
pub mod read;
pub mod streams;
pub mod tables;
pub mod transact;
pub mod ttl;
