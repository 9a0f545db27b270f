//! The spelunk sidecar of a detection: `<detection>.spelunk.yaml` beside `<detection>.yml`.
//!
//! contentctl's detection schema forbids unknown fields everywhere (`extra="forbid"` on the
//! detection, on each `tests:` entry and on each `attack_data:` entry), and its `test_type`
//! only knows unit, integration and manual tests: a negative test cannot live inside the
//! detection YAML without breaking `contentctl validate`. contentctl reads only `**/*.yml` under
//! `detections/`, so a `.spelunk.yaml` file beside the detection is invisible to it, and spelunk
//! never takes it for a detection.
//!
//! ```yaml
//! # detections/endpoint/my_detection.spelunk.yaml
//! tests:
//! - name: Benign admin activity
//!   expect: no_results        # the default; `results` adds a positive test
//!   attack_data:
//!   - data: benign/admin_activity.log   # beside this file, then the content root, then
//!     source: XmlWinEventLog:Microsoft-Windows-Sysmon/Operational   # --attack-data; URLs
//!     sourcetype: XmlWinEventLog        # map into --attack-data as in `tests:`
//! ```
//!
//! The entries have the shape of contentctl's `tests:` entries plus `expect`.

use super::Expect;
use crate::detection::AttackData;
use crate::diagnostic::Diagnostic;
use serde::Deserialize;
use std::path::Path;

/// A sidecar file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sidecar {
    #[serde(default)]
    pub tests: Vec<SidecarTest>,
}

/// One test of a sidecar.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SidecarTest {
    pub name: String,
    #[serde(default = "no_results")]
    pub expect: Expect,
    pub attack_data: Vec<AttackData>,
}

fn no_results() -> Expect {
    Expect::NoResults
}

impl<'de> Deserialize<'de> for Expect {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Expect, D::Error> {
        let s = String::deserialize(d)?;
        match s.as_str() {
            "no_results" => Ok(Expect::NoResults),
            "results" => Ok(Expect::Results),
            other => Err(serde::de::Error::custom(format!(
                "unknown expect `{other}` (use no_results or results)"
            ))),
        }
    }
}

impl Sidecar {
    /// Read a sidecar file.
    pub fn load(path: &Path) -> Result<Sidecar, Diagnostic> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Diagnostic::new(format!("cannot read {}: {e}", path.display())))?;
        serde_norway::from_str(&text).map_err(|e| {
            Diagnostic::new(format!("invalid spelunk sidecar {}: {e}", path.display()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sidecar_reads_with_no_results_as_the_default() {
        let s: Sidecar = serde_norway::from_str(
            "tests:\n- name: benign\n  attack_data:\n  - data: a.log\n    source: s\n    sourcetype: st\n- name: more\n  expect: results\n  attack_data: []\n",
        )
        .unwrap();
        assert_eq!(s.tests[0].expect, Expect::NoResults);
        assert_eq!(s.tests[1].expect, Expect::Results);
        assert!(serde_norway::from_str::<Sidecar>(
            "tests:\n- name: x\n  expect: maybe\n  attack_data: []\n"
        )
        .is_err());
        assert!(serde_norway::from_str::<Sidecar>("tset: []\n").is_err());
    }
}
