//! `{base}/v1.0/…`: the directory API in Microsoft Graph's shape (see [`crate::flows::graph`]). Handlers
//! authenticate the caller, read the query options and body, call one flow and write the result with
//! its `@odata.context`, only the properties asked for, and the next page's link.

mod applications;
mod governance;
mod groups;
mod principals;
mod respond;
mod users;

// Globs, so that each handler comes with the `__path_…` type its `#[utoipa::path]` generates, which
// the OpenAPI document (http/openapi.rs) names.
pub use applications::*;
pub use governance::*;
pub use groups::*;
pub use principals::*;
pub use users::*;
