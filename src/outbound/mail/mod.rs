//! Mail: rendered when the request that causes it is handled (in the user's language), stored in
//! the outbox as JSON, and posted to the relay in the configured format.

mod relay;
mod templates;

pub use relay::deliver;
pub use templates::{Fill, Template, link, render};

use serde::{Deserialize, Serialize};

/// A rendered mail, as kept in the outbox until delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mail {
    pub from: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}
