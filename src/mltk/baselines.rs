//! The baseline searches shipped with spelunk (`baselines/` at the top of the repository): each
//! fits the MLTK model a security_content detection applies. security_content keeps them in its
//! own `baselines/` folder; ours are written from those upstream searches, each file naming its
//! source (`upstream`) and what differs (`changes`).

use serde::Deserialize;
use std::sync::OnceLock;

/// A baseline search and the model it fits.
#[derive(Debug, Clone, Deserialize)]
pub struct Baseline {
    /// The upstream search's name.
    pub name: String,
    /// The model its `fit ... into` writes.
    pub model: String,
    /// Where upstream keeps it.
    pub upstream: String,
    /// What differs from upstream.
    pub changes: String,
    /// The SPL.
    pub search: String,
}

const FILES: &[(&str, &str)] = &[
    (
        "cloud_infrastructure_api_calls_per_user.yml",
        include_str!("../../baselines/cloud_infrastructure_api_calls_per_user.yml"),
    ),
    (
        "cloud_security_group_api_calls_per_user.yml",
        include_str!("../../baselines/cloud_security_group_api_calls_per_user.yml"),
    ),
    (
        "cloud_instances_destroyed.yml",
        include_str!("../../baselines/cloud_instances_destroyed.yml"),
    ),
    (
        "cloud_instances_launched.yml",
        include_str!("../../baselines/cloud_instances_launched.yml"),
    ),
    (
        "command_line_length_mltk.yml",
        include_str!("../../baselines/command_line_length_mltk.yml"),
    ),
    (
        "dns_query_length_mltk.yml",
        include_str!("../../baselines/dns_query_length_mltk.yml"),
    ),
    (
        "smb_traffic_mltk.yml",
        include_str!("../../baselines/smb_traffic_mltk.yml"),
    ),
    (
        "excessive_aws_instances_launched_by_user_mltk.yml",
        include_str!("../../baselines/excessive_aws_instances_launched_by_user_mltk.yml"),
    ),
    (
        "excessive_aws_instances_terminated_by_user_mltk.yml",
        include_str!("../../baselines/excessive_aws_instances_terminated_by_user_mltk.yml"),
    ),
];

/// The shipped baselines (a file that does not parse is left out; a unit test checks them all).
pub fn bundled() -> &'static [Baseline] {
    static ALL: OnceLock<Vec<Baseline>> = OnceLock::new();
    ALL.get_or_init(|| {
        FILES
            .iter()
            .filter_map(|(_, text)| serde_norway::from_str::<Baseline>(text).ok())
            .collect()
    })
}

/// The shipped baseline that fits `model`.
pub fn for_model(model: &str) -> Option<&'static Baseline> {
    let m = super::model_name(model).ok()?;
    bundled().iter().find(|b| b.model == m)
}

/// The models a search reads with `apply` or `summary` (found in its expanded text).
pub fn models_read(expanded: &str) -> Vec<String> {
    static RE: OnceLock<Option<regex::Regex>> = OnceLock::new();
    let Some(re) = RE.get_or_init(|| {
        regex::Regex::new(r"(?i)(?:^|[|\[])\s*(?:apply|summary)\s+([\w.:-]+)").ok()
    }) else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for c in re.captures_iter(expanded) {
        if let Some(m) = c.get(1) {
            let m = m.as_str().to_string();
            if !out.contains(&m) {
                out.push(m);
            }
        }
    }
    out
}

/// The shipped baselines a search needs run first: those fitting a model it reads.
pub fn needed_by(expanded: &str) -> Vec<&'static Baseline> {
    models_read(expanded)
        .iter()
        .filter_map(|m| for_model(m))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_parses_and_fits_its_model() {
        assert_eq!(bundled().len(), FILES.len());
        for b in bundled() {
            assert!(
                b.search.contains(&format!("into {}", b.model)),
                "{}: the search does not fit {}",
                b.name,
                b.model
            );
            assert!(crate::syntax::parse(&b.search).is_ok() || b.search.contains('`'));
        }
    }

    #[test]
    fn models_read_by_apply_and_summary() {
        let s = "| tstats count | join user [ summary cloud_excessive_api_calls_v1] | apply cloud_excessive_api_calls_v1 threshold=0.005 | eval apply=1";
        assert_eq!(models_read(s), vec!["cloud_excessive_api_calls_v1"]);
        assert_eq!(needed_by(s).len(), 1);
        assert!(needed_by("| apply pretrained_dga_model_dsdl").is_empty());
    }
}
