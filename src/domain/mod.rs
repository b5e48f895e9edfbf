//! Plain directory types and pure protocol rules. No I/O, no actix, no sea-orm.

pub mod app;
pub mod claims;
pub mod graph;
pub mod ids;
pub mod jws;
pub mod scope;
pub mod tenant;
