//! `iplocation` with a GeoIP database given on the command line, in the environment or in the
//! settings file, and `outputlookup` writing into a store's lookup folder, read back by
//! `inputlookup` in a later run, through the CLI and a real corpus detection.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The sample City database (`spelunk::lookups::geoip::writer::sample_city_database`) as a file.
fn sample_db(dir: &Path) -> PathBuf {
    let p = dir.join("sample-city.mmdb");
    std::fs::write(&p, spelunk::lookups::geoip::writer::sample_city_database()).expect("write db");
    p
}

/// `spelunk ARGS` in `cwd`, with no GeoIP setting inherited from the environment or the
/// user's settings file.
fn spelunk(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_spelunk"));
    c.current_dir(cwd)
        .args(args)
        .env_remove("SPELUNK_GEOIP")
        .env("HOME", cwd)
        .env("XDG_CONFIG_HOME", cwd.join("xdg"));
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run spelunk")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const SEARCH: &str =
    "| makeresults | eval ip=\"81.2.69.160\" | iplocation ip | table City Region Country lat lon";
const LONDON: &str = "City,Region,Country,lat,lon\nLondon,England,United Kingdom,51.5142,-0.0931\n";

#[test]
fn iplocation_reads_the_database_from_the_flag_the_environment_or_the_settings_file() {
    let dir = common::temp_dir("iplocation-cli");
    let db = sample_db(&dir);
    let db = db.to_str().expect("utf-8 path");

    // Without a database: the error says how to give one, at the command.
    let o = spelunk(&dir, &["run", "--format", "csv", SEARCH], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("--geoip FILE.mmdb") && err.contains("SPELUNK_GEOIP") && err.contains('^'),
        "{err}"
    );

    let o = spelunk(
        &dir,
        &["run", "--format", "csv", "--geoip", db, SEARCH],
        &[],
    );
    assert_eq!(stdout(&o), LONDON, "{}", stderr(&o));

    let o = spelunk(
        &dir,
        &["run", "--format", "csv", SEARCH],
        &[("SPELUNK_GEOIP", db)],
    );
    assert_eq!(stdout(&o), LONDON, "{}", stderr(&o));

    // The settings file, its path relative to the file's folder.
    std::fs::create_dir_all(dir.join(".spelunk")).expect("mkdir");
    std::fs::write(
        dir.join(".spelunk/config.yml"),
        "geoip: ../sample-city.mmdb\n",
    )
    .expect("config");
    let o = spelunk(&dir, &["run", "--format", "csv", SEARCH], &[]);
    assert_eq!(stdout(&o), LONDON, "{}", stderr(&o));

    // A database that does not exist is an error naming the file and where it was chosen.
    let o = spelunk(
        &dir,
        &["run", "--format", "csv", SEARCH],
        &[("SPELUNK_GEOIP", "/nonexistent/x.mmdb")],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("/nonexistent/x.mmdb") && stderr(&o).contains("SPELUNK_GEOIP"),
        "{}",
        stderr(&o)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn outputlookup_writes_into_the_store_and_a_later_run_reads_it() {
    let dir = common::temp_dir("outputlookup-store");
    let store = dir.join("store");
    let store = store.to_str().expect("utf-8 path");
    let o = spelunk(
        &dir,
        &[
            "run",
            "--store",
            store,
            "--format",
            "csv",
            "| makeresults count=2 | streamstats count as n | eval user=\"u\".n | table user n | outputlookup users.csv",
        ],
        &[],
    );
    // The results pass through.
    assert_eq!(stdout(&o), "user,n\nu1,1\nu2,2\n", "{}", stderr(&o));
    assert!(dir.join("store/lookups/users.csv").is_file());
    let o = spelunk(
        &dir,
        &[
            "run",
            "--store",
            store,
            "--format",
            "csv",
            "| makeresults | eval user=\"u2\" | lookup users.csv user OUTPUT n | table user n",
        ],
        &[],
    );
    assert_eq!(stdout(&o), "user,n\nu2,2\n", "{}", stderr(&o));
    // Never outside the folder.
    let o = spelunk(
        &dir,
        &[
            "run",
            "--store",
            store,
            "| makeresults | outputlookup ../../escape.csv",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("inside the lookup folder"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.join("escape.csv").exists() && !Path::new("/escape.csv").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

/// S3 access log events as JSON (the fields the Splunk Add-on for AWS extracts).
const S3_EVENTS: &str = r#"{"bucket_name":"corp-data","remote_ip":"81.2.69.160","http_status":"200","operation":"REST.GET.OBJECT","request_uri":"GET /corp-data/a.txt HTTP/1.1"}
{"bucket_name":"corp-data","remote_ip":"10.0.0.5","http_status":"200","operation":"REST.GET.OBJECT","request_uri":"GET /corp-data/b.txt HTTP/1.1"}
"#;

#[test]
fn a_corpus_detection_writes_its_baseline_with_outputlookup_and_reads_it_back() {
    // detect_s3_access_from_a_new_ip: a subsearch reads its baseline (`inputlookup append=t
    // previously_seen_S3_access_from_remote_ip`), merges today's first/last times, writes it back
    // (`outputlookup`), and the outer search locates the new addresses (`iplocation`).
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let detection =
        shared.join("corpus/security_content/detections/cloud/detect_s3_access_from_a_new_ip.yml");
    let dir = common::temp_dir("outputlookup-corpus");
    let db = sample_db(&dir);
    let data = dir.join("s3.json");
    std::fs::write(&data, S3_EVENTS).expect("data");
    let store = dir.join("store");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "run",
            "--format",
            "csv",
            "--geoip",
            db.to_str().expect("utf-8"),
            "--store",
            store.to_str().expect("utf-8"),
        ];
        args.extend_from_slice(extra);
        spelunk(&dir, &args, &[])
    };
    let o = run(&[
        "--data",
        data.to_str().expect("utf-8"),
        "--sourcetype",
        "aws:s3:accesslogs",
        "-f",
        detection.to_str().expect("utf-8"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    // Both addresses are new; the public one is located, the private one is not.
    assert!(
        out.starts_with("_time,bucket_name,src_ip,City,Country,operation,request_uri\n"),
        "{out}"
    );
    assert!(
        out.contains(",corp-data,81.2.69.160,London,United Kingdom,REST.GET.OBJECT,"),
        "{out}"
    );
    assert!(
        out.contains(",corp-data,10.0.0.5,,,REST.GET.OBJECT,"),
        "{out}"
    );
    // The baseline the detection wrote (a KV store collection, kept as COLLECTION.csv).
    let lookups = shared.join("corpus/security_content/lookups");
    let o = run(&[
        "--lookups",
        lookups.to_str().expect("utf-8"),
        "| inputlookup previously_seen_S3_access_from_remote_ip | table bucket_name remote_ip | sort remote_ip",
    ]);
    assert_eq!(
        stdout(&o),
        "bucket_name,remote_ip\ncorp-data,10.0.0.5\ncorp-data,81.2.69.160\n",
        "{}",
        stderr(&o)
    );
    assert!(dir
        .join("store/lookups/previously_seen_S3_access_from_remote_ip.csv")
        .is_file());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_sample_database_is_left_in_the_target_folder_for_manual_runs() {
    // `spelunk check ... --geoip $CARGO_TARGET_DIR/tmp/sample-city.mmdb` (README, issue 13).
    let p = sample_db(Path::new(env!("CARGO_TARGET_TMPDIR")));
    let db = spelunk::lookups::geoip::GeoIp::open(&p).expect("opens");
    assert_eq!(db.database_type(), "GeoIP2-City");
}
