//! The knowledge layer: our data files, a user's CIM app and add-on on top, and the bundled
//! sample dataset through the data models.
mod common;

use polars::prelude::*;
use spelunk::ingest::Input;
use spelunk::knowledge::{datamodel::CalcOp, Knowledge};
use spelunk::store::{ReplayOptions, Store};

fn strings(df: &DataFrame, name: &str) -> Vec<Option<String>> {
    let ca = df
        .column(name)
        .unwrap_or_else(|_| panic!("{name}"))
        .str()
        .expect("str")
        .clone();
    (0..ca.len())
        .map(|i| ca.get(i).map(str::to_string))
        .collect()
}

#[test]
fn bundled_knowledge_loads_and_folder_matches_it() {
    let k = Knowledge::bundled().expect("bundled");
    assert!(k.warnings.is_empty(), "{:?}", k.warnings);
    let names: Vec<&str> = k.datasets.iter().map(|d| d.name.as_str()).collect();
    for n in [
        "Endpoint.Processes",
        "Endpoint.Filesystem",
        "Endpoint.Registry",
        "Network_Traffic.All_Traffic",
        "Network_Resolution.DNS",
    ] {
        assert!(names.contains(&n), "{n}");
    }
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("knowledge");
    let from_dir = Knowledge::load_dir(&dir).expect("knowledge/");
    assert_eq!(from_dir.datasets.len(), k.datasets.len());
    assert_eq!(from_dir.eventtypes.len(), k.eventtypes.len());
}

#[test]
fn sample_dataset_has_exactly_one_seed_match() {
    let yml =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("datasets/sample/dataset.yml");
    let mut store = Store::in_memory();
    let s = store
        .replay(&[Input::new(yml)], &ReplayOptions::default())
        .expect("replay");
    assert_eq!(s.events_rejected, 0);
    assert!(s.events_stored > 50);
    let p = store
        .datamodel("Endpoint.Processes")
        .expect("dm")
        .expect("table");
    let hits = p
        .filter(
            col("Processes.process_name")
                .str()
                .to_lowercase()
                .eq(lit("cmd.exe"))
                .or(col("Processes.original_file_name")
                    .str()
                    .to_lowercase()
                    .eq(lit("cmd.exe")))
                .and(
                    col("Processes.process")
                        .str()
                        .contains_literal(lit("mklink")),
                )
                .and(
                    col("Processes.process")
                        .str()
                        .contains_literal(lit("HarddiskVolumeShadowCopy")),
                ),
        )
        .collect()
        .expect("collect");
    assert_eq!(hits.height(), 1);
    assert_eq!(
        strings(&hits, "Processes.parent_process_name"),
        vec![Some("powershell.exe".to_string())]
    );
    // The 4688 event is a Processes row too; the Run key lands in Registry.
    let all = store
        .datamodel("Endpoint.Processes")
        .expect("dm")
        .expect("t")
        .collect()
        .expect("c");
    assert!(strings(&all, "Processes.process_name").contains(&Some("whoami.exe".into())));
    let reg = store
        .datamodel("Endpoint.Registry")
        .expect("dm")
        .expect("t")
        .collect()
        .expect("c");
    assert_eq!(reg.height(), 1);
    assert!(strings(&reg, "Registry.registry_path")[0]
        .as_deref()
        .is_some_and(|p| p.ends_with("\\CurrentVersion\\Run\\Updater")));
    // Security events carry the wineventlog_security event type.
    let ev = store
        .events(None)
        .expect("events")
        .filter(col("EventCode").eq(lit("4624")))
        .collect()
        .expect("c");
    assert!(ev.height() > 0);
    let et = ev
        .column("eventtype")
        .expect("eventtype")
        .list()
        .expect("list")
        .get_as_series(0)
        .expect("row");
    let et = et.str().expect("str").clone();
    assert_eq!(et.get(0), Some("wineventlog_security"));
}

#[test]
fn cim_app_and_sysmon_addon_load_on_top() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let cim = shared.join("reference/cim/Splunk_SA_CIM_5.0.1");
    let ta = shared.join("reference/sysmon_ta/TA-microsoft-sysmon_10.6.2");
    let mut k = Knowledge::bundled().expect("bundled");
    k.add_cim_app(&cim).expect("cim");
    let p = k
        .datasets
        .iter()
        .find(|d| d.name == "Endpoint.Processes")
        .expect("Processes");
    assert!(p.fields.contains(&"cpu_load_percent".to_string()));
    assert!(p.calculated.iter().any(|c| c.field == "process_name"
        && matches!(&c.op, CalcOp::FirstWordOf { from, .. } if from == "process")));
    assert!(p
        .calculated
        .iter()
        .any(|c| c.field == "process_integrity_level"
            && c.op == CalcOp::Lower("process_integrity_level".into())));
    // Change has child datasets: fields are prefixed by the root dataset.
    let acc = k
        .datasets
        .iter()
        .find(|d| d.name == "Change.Accounts_Created")
        .expect("child");
    assert_eq!(acc.prefix, "All_Changes");

    // T1202: 8 Sysmon 1 and 16 Sysmon 10 events. Ours: only EventCode 1 is a process event;
    // the old add-on's ms-sysmon-process (replacing ours) also tags EventCode 10.
    let file = shared.join(
        "corpus/attack_data/datasets/attack_techniques/T1202/atomic_red_team/windows-sysmon.log",
    );
    let rows = |opts: ReplayOptions| {
        let mut store = Store::in_memory();
        store.replay(&[Input::new(&file)], &opts).expect("replay");
        store
            .datamodel("Endpoint.Processes")
            .expect("dm")
            .expect("t")
            .collect()
            .expect("c")
    };
    assert_eq!(rows(ReplayOptions::default()).height(), 8);
    let with_cim = rows(ReplayOptions {
        cim_apps: vec![cim.clone()],
        ..ReplayOptions::default()
    });
    assert_eq!(with_cim.height(), 8);
    assert!(with_cim.column("Processes.cpu_load_percent").is_ok());
    assert_eq!(
        rows(ReplayOptions {
            addons: vec![ta],
            ..ReplayOptions::default()
        })
        .height(),
        24
    );
}

#[test]
fn many_small_chunks_on_disk_read_back_whole() {
    let yml =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("datasets/sample/dataset.yml");
    let dir = common::temp_dir("chunks");
    let opts = ReplayOptions {
        chunk_rows: 7,
        ..ReplayOptions::default()
    };
    let mut store = Store::open(&dir).expect("open");
    let s = store.replay(&[Input::new(yml)], &opts).expect("replay");
    let events = store
        .events(None)
        .expect("events")
        .collect()
        .expect("collect");
    assert_eq!(events.height() as u64, s.events_stored);
    for name in store.datamodels() {
        let t = store
            .datamodel(&name)
            .expect("dm")
            .expect("table")
            .collect()
            .expect("collect");
        assert_eq!(
            Some(&(t.height() as u64)),
            s.datamodels.get(&name),
            "{name}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
