//! Splunk Machine Learning Toolkit (MLTK) models: what `fit ... into NAME` saves and `apply NAME`
//! and `summary NAME` read.
//!
//! A store keeps its models as JSON files, `<store>/models/<name>.json` (the format is
//! [`Model`], versioned by its `format` and `version` fields). Without a store on disk (the
//! bundled sample, `--data` files, tests) models live in the memory of the process, so that the
//! searches of one `spelunk check`, `spelunk test` or `spelunk repl` session share them.
//!
//! Only the DensityFunction algorithm is implemented ([`density`]). Models that MLTK's companion
//! app DSDL serves (pretrained deep-learning models in a container) cannot be reproduced; like
//! DSDL's container, a program the user configures can score the results instead ([`dsdl`]; the
//! error without one: [`dsdl_model_hint`]).

pub mod baselines;
pub mod density;
pub mod dsdl;
pub mod table;

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

/// The `format` field of a model file.
pub const MODEL_FORMAT: &str = "spelunk-mltk-model";
/// The version of the model file format this spelunk writes and reads.
pub const MODEL_VERSION: u32 = 1;

/// A saved model: a header and the algorithm's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// Always [`MODEL_FORMAT`].
    pub format: String,
    /// [`MODEL_VERSION`] when written.
    pub version: u32,
    /// The algorithm's name as `fit` was given it (`DensityFunction`).
    pub algorithm: String,
    /// The DensityFunction state.
    pub density: density::DensityModel,
}

impl Model {
    /// A DensityFunction model.
    pub fn density(m: density::DensityModel) -> Model {
        Model {
            format: MODEL_FORMAT.into(),
            version: MODEL_VERSION,
            algorithm: "DensityFunction".into(),
            density: m,
        }
    }
}

type Memory = Arc<Mutex<HashMap<String, Model>>>;

/// Where models are kept: a store's `models/` folder, or memory (the process's, or a private
/// registry for one detection and its baseline).
#[derive(Debug, Clone)]
pub struct Models {
    dir: Option<PathBuf>,
    mem: Memory,
}

fn process_memory() -> Memory {
    static MEM: OnceLock<Memory> = OnceLock::new();
    MEM.get_or_init(Memory::default).clone()
}

impl Models {
    /// The models of a store: its `models/` folder when it is on disk, else process memory.
    pub fn for_store(store: &crate::store::Store) -> Models {
        Models {
            dir: store.dir().map(|d| d.join("models")),
            mem: process_memory(),
        }
    }

    /// A registry of its own, in memory: `spelunk test` fits a detection's model over that
    /// detection's data only, whatever other tests run at the same time.
    pub fn private() -> Models {
        Models {
            dir: None,
            mem: Memory::default(),
        }
    }

    /// Whether models are written to disk.
    pub fn on_disk(&self) -> bool {
        self.dir.is_some()
    }

    /// Where a model is written (None: in memory).
    pub fn path_of(&self, name: &str) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.join(format!("{name}.json")))
    }

    /// Save a model under `name` (replacing one of that name).
    pub fn save(&self, name: &str, model: &Model) -> Result<(), String> {
        let name = model_name(name)?;
        match &self.dir {
            None => {
                let mut m = self
                    .mem
                    .lock()
                    .map_err(|_| "the model registry is unusable".to_string())?;
                m.insert(name.to_string(), model.clone());
                Ok(())
            }
            Some(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                let path = dir.join(format!("{name}.json"));
                let text = serde_json::to_string_pretty(model)
                    .map_err(|e| format!("cannot write model `{name}`: {e}"))?;
                let tmp = dir.join(format!(".{name}.json.tmp"));
                std::fs::write(&tmp, text)
                    .and_then(|_| std::fs::rename(&tmp, &path))
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))
            }
        }
    }

    /// The model saved under `name`, if any.
    pub fn load(&self, name: &str) -> Result<Option<Model>, String> {
        let name = model_name(name)?;
        match &self.dir {
            None => Ok(self.mem.lock().ok().and_then(|m| m.get(name).cloned())),
            Some(dir) => {
                let path = dir.join(format!("{name}.json"));
                let text = match std::fs::read_to_string(&path) {
                    Ok(t) => t,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                    Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
                };
                let model: Model = serde_json::from_str(&text)
                    .map_err(|e| format!("{}: not a model file: {e}", path.display()))?;
                if model.format != MODEL_FORMAT || model.version > MODEL_VERSION {
                    return Err(format!(
                        "{}: model format `{}` version {} (this spelunk reads `{MODEL_FORMAT}` up to version {MODEL_VERSION})",
                        path.display(),
                        model.format,
                        model.version
                    ));
                }
                Ok(Some(model))
            }
        }
    }

    /// Whether a model of that name exists.
    pub fn exists(&self, name: &str) -> bool {
        matches!(self.load(name), Ok(Some(_)))
    }

    /// The executable `<store>/models/dsdl/NAME` that scores the DSDL model `name`, if any.
    pub fn dsdl_scorer(&self, name: &str) -> Option<dsdl::Scorer> {
        self.dir
            .as_deref()
            .and_then(|d| dsdl::store_scorer(d, name))
    }

    /// Where the models are kept, for messages.
    pub fn location(&self) -> String {
        match &self.dir {
            Some(d) => d.display().to_string(),
            None => "the memory of this spelunk process (no --store)".into(),
        }
    }
}

/// A model name as MLTK takes it: `app:NAME` is NAME shared in the app namespace (spelunk has
/// one namespace). Names are file names: letters, digits, `_`, `-`, `.`.
pub fn model_name(name: &str) -> Result<&str, String> {
    let n = name.strip_prefix("app:").unwrap_or(name);
    let ok = !n.is_empty()
        && !n.starts_with('.')
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(n)
    } else {
        Err(format!(
            "invalid model name `{name}` (letters, digits, `_`, `-` and `.` only)"
        ))
    }
}

/// For a model that the Splunk App for Data Science and Deep Learning (DSDL) serves, the reason
/// spelunk cannot apply it without a scorer; None for other names. DSDL models are pretrained
/// neural networks run in a container (security_content's `*_in_dsdl` detections,
/// `pretrained_dga_model_dsdl`, `unusual_commandline_detection`): their weights are not public
/// data spelunk could ship.
pub fn dsdl_model_hint(name: &str) -> Option<String> {
    let n = name.to_ascii_lowercase();
    let dsdl = n.ends_with("_dsdl")
        || n.contains("_in_dsdl")
        || n.contains("pretrained")
        || n == "unusual_commandline_detection";
    dsdl.then(|| {
        format!(
            "`{name}` is a pretrained deep-learning model served by the Splunk App for Data Science and Deep Learning (DSDL) from a container; spelunk cannot run it (only DensityFunction models fitted with `fit` can be applied) unless you configure a program that scores the results as DSDL's container would: `--dsdl-model {name}=COMMAND`, `dsdl: {{{name}: COMMAND}}` in .spelunk/config.yml, or an executable <store>/models/dsdl/{name} (it reads the results as CSV on standard input and writes them back, one row per row, with the prediction fields)"
        )
    })
}
