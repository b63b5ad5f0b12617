//! Publishing a training offer: resource packs, the bulletin, and the
//! public site.
//!
//! Everything here is public, so nothing here ever writes a learner's name
//! or any email but the organiser's: trainers appear by name only, cohorts
//! by their dates and places, and enrolment only as a count of places left.
//!
//! Pages are rendered with minijinja templates built into the crate; a data
//! folder may override any of them with a file of the same name in its
//! `templates/` folder.

mod error;
pub use error::Error;

pub mod bulletin;
pub mod email;
pub mod markdown;
pub mod pack;
pub mod runs;
pub mod site;
mod templates;
pub use templates::check as check_templates;

use tip_core::model::Vocabulary;

/// The programme as templates see it: name, organiser, public email only.
pub fn programme_context(data: &tip_core::Dataset) -> serde_json::Value {
    let p = &data.programme();
    serde_json::json!({
        "name": &p.name,
        "organiser": p.organiser.as_ref().map(|o| &o.name),
        "email": p.organiser.as_ref().and_then(|o| o.email.as_ref()),
    })
}

/// How a resource kind is shown.
pub(crate) fn words_kind(k: tip_core::model::ResourceKind) -> &'static str {
    use tip_core::model::ResourceKind::*;
    match k {
        Pdf => "PDF",
        Web => "web page",
        other => other.as_str(),
    }
}
