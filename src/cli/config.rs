//! spelunk's settings file, for what is tedious to repeat on every command line.
//!
//! Read from the first of `.spelunk/config.yml` in the current folder and
//! `$XDG_CONFIG_HOME/spelunk/config.yml` (`~/.config/spelunk/config.yml`) that exists:
//!
//! ```yaml
//! # The GeoIP database `iplocation` reads (a MaxMind City .mmdb); relative to this file's folder.
//! geoip: /usr/share/GeoIP/GeoLite2-City.mmdb
//! # Programs that score DSDL models for `apply NAME` (see `mltk::dsdl`): NAME: COMMAND, run with
//! # `sh -c` in this file's folder.
//! dsdl:
//!   pretrained_dga_model_dsdl: python3 scorers/dga.py
//! ```
//!
//! A setting on the command line (`--geoip`, `--dsdl-model NAME=COMMAND`) comes first, then the
//! environment (`SPELUNK_GEOIP`), then the file. An unknown key is an error, so that a misspelt
//! setting is not silently ignored.

use crate::diagnostic::Diagnostic;
use crate::lookups::geoip::GeoIp;
use crate::lookups::LookupLibrary;
use crate::mltk::dsdl::{Program, Scorer, Scorers};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The settings file's keys.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The GeoIP database `iplocation` reads.
    pub geoip: Option<PathBuf>,
    /// The commands that score DSDL models, by model name.
    #[serde(default)]
    pub dsdl: BTreeMap<String, String>,
}

/// The settings files looked for, in order.
pub fn config_files() -> Vec<PathBuf> {
    let mut v = vec![PathBuf::from(".spelunk/config.yml")];
    let xdg = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|x| !x.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")));
    if let Some(dir) = xdg {
        v.push(dir.join("spelunk/config.yml"));
    }
    v
}

/// Read a settings file; relative paths in it become relative to its folder.
pub fn read_config(path: &Path) -> Result<Config, Diagnostic> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Diagnostic::new(format!("cannot read {}: {e}", path.display())))?;
    let mut c: Config = if text.trim().is_empty() {
        Config::default()
    } else {
        serde_norway::from_str(&text)
            .map_err(|e| Diagnostic::new(format!("{}: {e}", path.display())))?
    };
    let base = path.parent().unwrap_or(Path::new("."));
    if let Some(g) = &c.geoip {
        if g.is_relative() {
            c.geoip = Some(base.join(g));
        }
    }
    Ok(c)
}

/// The first settings file that exists, with its path.
pub fn load() -> Result<Option<(PathBuf, Config)>, Diagnostic> {
    for f in config_files() {
        if f.is_file() {
            return read_config(&f).map(|c| Some((f, c)));
        }
    }
    Ok(None)
}

/// The GeoIP database to use and where that choice comes from: `flag`, else `SPELUNK_GEOIP`,
/// else the settings file; `None` when none names one.
pub fn geoip_path(flag: Option<&Path>) -> Result<Option<(PathBuf, String)>, Diagnostic> {
    if let Some(f) = flag {
        return Ok(Some((f.to_path_buf(), "--geoip".into())));
    }
    if let Some(v) = std::env::var_os("SPELUNK_GEOIP").filter(|v| !v.is_empty()) {
        return Ok(Some((PathBuf::from(v), "SPELUNK_GEOIP".into())));
    }
    Ok(load()?.and_then(|(file, c)| {
        c.geoip
            .map(|g| (g, format!("`geoip:` in {}", file.display())))
    }))
}

/// Open the GeoIP database chosen by `flag`, the environment or the settings file into the
/// lookups (nothing when none is chosen). A database that cannot be opened is an error naming
/// where it was chosen.
pub fn apply_geoip(lookups: &mut LookupLibrary, flag: Option<&Path>) -> Result<(), Diagnostic> {
    if let Some((path, origin)) = geoip_path(flag)? {
        let db = GeoIp::open(&path).map_err(|e| Diagnostic::new(format!("{e} (from {origin})")))?;
        lookups.set_geoip(db);
    }
    Ok(())
}

/// The DSDL scorers: each `--dsdl-model NAME=COMMAND` of `flags` (run in the current folder),
/// then the `dsdl:` entries of the settings file for other names (run in that file's folder).
pub fn dsdl_scorers(flags: &[String]) -> Result<Scorers, Diagnostic> {
    let mut map = BTreeMap::new();
    if let Some((file, c)) = load()? {
        let dir = file.parent().map(|d| {
            if d.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                d.to_path_buf()
            }
        });
        for (name, command) in c.dsdl {
            let name = crate::mltk::model_name(&name)
                .map_err(|e| Diagnostic::new(format!("`dsdl:` in {}: {e}", file.display())))?
                .to_string();
            map.insert(
                name,
                Scorer {
                    program: Program::Shell {
                        command,
                        dir: dir.clone(),
                    },
                    origin: format!("`dsdl:` in {}", file.display()),
                },
            );
        }
    }
    for f in flags {
        let (name, command) = crate::mltk::dsdl::parse_flag(f).map_err(Diagnostic::new)?;
        map.insert(
            name,
            Scorer {
                program: Program::Shell { command, dir: None },
                origin: "--dsdl-model".into(),
            },
        );
    }
    Ok(Scorers::new(map))
}

/// Give the lookups the DSDL scorers of `flags` and the settings file.
pub fn apply_dsdl(lookups: &mut LookupLibrary, flags: &[String]) -> Result<(), Diagnostic> {
    lookups.dsdl = dsdl_scorers(flags)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_file_paths_are_relative_to_it_and_unknown_keys_are_errors() {
        let dir = std::env::temp_dir().join(format!("spelunk-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("config.yml");
        std::fs::write(&f, "geoip: GeoLite2-City.mmdb\n").unwrap();
        let c = read_config(&f).unwrap();
        assert_eq!(c.geoip, Some(dir.join("GeoLite2-City.mmdb")));
        std::fs::write(&f, "geoip: /abs/x.mmdb\n").unwrap();
        assert_eq!(
            read_config(&f).unwrap().geoip,
            Some(PathBuf::from("/abs/x.mmdb"))
        );
        std::fs::write(&f, "").unwrap();
        assert_eq!(read_config(&f).unwrap().geoip, None);
        std::fs::write(&f, "dsdl:\n  app:m1: python3 s.py\n").unwrap();
        assert_eq!(read_config(&f).unwrap().dsdl["app:m1"], "python3 s.py");
        std::fs::write(&f, "geo_ip: x.mmdb\n").unwrap();
        let e = read_config(&f).unwrap_err();
        assert!(e.message.contains("geo_ip"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_flag_comes_first_and_a_bad_database_names_its_origin() {
        let flag = Path::new("/nonexistent/flag.mmdb");
        let (p, origin) = geoip_path(Some(flag)).unwrap().unwrap();
        assert_eq!((p.as_path(), origin.as_str()), (flag, "--geoip"));
        let mut lib = LookupLibrary::builtin();
        let e = apply_geoip(&mut lib, Some(flag)).unwrap_err();
        assert!(
            e.message.contains("/nonexistent/flag.mmdb") && e.message.contains("--geoip"),
            "{e}"
        );
    }
}
