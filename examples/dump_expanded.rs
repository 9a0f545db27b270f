use spelunk::{detection, macros};
use std::path::Path;
fn main() {
    let root = Path::new("../shared/corpus/security_content");
    let lib = macros::MacroLibrary::with_dirs(&[root.join("macros")]).unwrap();
    let out = Path::new("/tmp/expanded");
    std::fs::create_dir_all(out).unwrap();
    let mut fails = 0;
    for p in detection::find_detections(root) {
        let d = detection::Detection::load(&p).unwrap();
        match macros::expand(&d.search, &lib) {
            Ok(s) => std::fs::write(out.join(format!("{}.spl", d.stem())), s).unwrap(),
            Err(e) => { fails += 1; eprintln!("{}: {e}", p.display()); }
        }
    }
    eprintln!("fails={fails}");
}
