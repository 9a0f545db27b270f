//! The replay's remembered decisions (`knowledge::Applier`) give exactly what evaluating every
//! rule, event type, tag and data model constraint on each event gives, over all of attack_data
//! and the bundled sample.
mod common;

use spelunk::ingest::{self, Input, ReaderOptions, Record};
use spelunk::knowledge::{Applier, IndexedEvent, Knowledge};

fn check(inputs: &[Input], k: &Knowledge) -> usize {
    let (files, _) = ingest::dataset::resolve(inputs);
    let mut applier = Applier::new(k);
    let mut n = 0;
    for input in &files {
        for rec in ingest::open(input, &ReaderOptions::default()) {
            let Record::Event(ev) = rec else { continue };
            let base = IndexedEvent {
                time: ev.time,
                host: input.host.clone().or(ev.host).unwrap_or_default(),
                source: input.source.clone().or(ev.source).unwrap_or_default(),
                sourcetype: input
                    .sourcetype
                    .clone()
                    .or(ev.sourcetype)
                    .unwrap_or_else(|| "_json".into()),
                index: "main".into(),
                raw: ev.raw,
                fields: ev.fields,
                eventtype: Vec::new(),
                tag: Vec::new(),
            };
            let mut slow = base.clone();
            k.apply(&mut slow);
            let want: Vec<usize> = k
                .datasets
                .iter()
                .enumerate()
                .filter(|(_, d)| d.selects(&slow))
                .map(|(i, _)| i)
                .collect();
            let mut fast = base;
            let got = applier.apply(&mut fast).datasets.clone();
            assert_eq!(fast, slow, "{}", input.path.display());
            assert_eq!(got, want, "{}", input.path.display());
            n += 1;
        }
    }
    n
}

#[test]
fn remembered_decisions_equal_full_evaluation() {
    let k = Knowledge::bundled().expect("bundled");
    let sample = common::project_dir().join("datasets/sample/dataset.yml");
    assert!(check(&[Input::new(sample)], &k) > 50);
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let root = shared.join("corpus/attack_data");
    let n = check(
        &[
            Input::new(root.join("datasets")),
            Input::new(root.join("history")),
        ],
        &k,
    );
    assert!(n > 400, "{n}");
}
