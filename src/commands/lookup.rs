//! `lookup`: enrich results from a lookup table: match on input fields, then `OUTPUT`
//! (overwrite) or `OUTPUTNEW` (fill only missing) output fields.

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// `field [AS local_field]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LookupField {
    /// The column in the lookup table.
    pub lookup_field: String,
    /// The field in the results (same as `lookup_field` when no `AS`).
    pub event_field: String,
}

/// `OUTPUT` or `OUTPUTNEW`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum OutputMode {
    Output,
    OutputNew,
}

/// A `lookup` command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lookup {
    pub options: Vec<Opt>,
    pub name: String,
    pub inputs: Vec<LookupField>,
    pub mode: OutputMode,
    /// Empty: every column of the table that is not an input.
    pub outputs: Vec<LookupField>,
}

fn lookup_field(p: &Pair<'_, Rule>) -> LookupField {
    let names: Vec<String> = p
        .clone()
        .into_inner()
        .filter(|c| c.as_rule() == Rule::field)
        .map(|f| field(&f))
        .collect();
    let lookup_field = names.first().cloned().unwrap_or_default();
    let event_field = names
        .get(1)
        .cloned()
        .unwrap_or_else(|| lookup_field.clone());
    LookupField {
        lookup_field,
        event_field,
    }
}

impl Lookup {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Lookup> {
        let parts = Parts::of(p)?;
        let mut inputs = Vec::new();
        let mut outputs = Vec::new();
        let mut mode = OutputMode::Output;
        for c in &parts.rest {
            match c.as_rule() {
                Rule::lookup_field => inputs.push(lookup_field(c)),
                Rule::lookup_output => {
                    for o in c.clone().into_inner() {
                        match o.as_rule() {
                            Rule::kw_outputnew => mode = OutputMode::OutputNew,
                            Rule::kw_output => mode = OutputMode::Output,
                            _ => outputs.push(lookup_field(&o)),
                        }
                    }
                }
                _ => return Err(unexpected(c)),
            }
        }
        Ok(Lookup {
            name: parts.first_field(p)?,
            options: parts.options,
            inputs,
            mode,
            outputs,
        })
    }
}

use crate::commands::{Lower, SplCommand};
use crate::diagnostic::Diagnostic;
use crate::plan::{Node, Op};

impl SplCommand for Lookup {
    const DOC: &'static str = "Enrich results from a lookup table: match input fields, then OUTPUT (overwrite) or OUTPUTNEW (fill missing) fields.";

    fn options(&self) -> &[Opt] {
        &self.options
    }

    fn lower(&self, c: &Command, input: Node, cx: &mut Lower) -> Result<Node, Diagnostic> {
        let pairs = |v: &[LookupField]| {
            v.iter()
                .map(|f| (f.lookup_field.clone(), f.event_field.clone()))
                .collect()
        };
        Ok(cx.node(
            Op::Lookup {
                input: Box::new(input),
                spec: crate::plan::LookupSpec {
                    name: self.name.clone(),
                    inputs: pairs(&self.inputs),
                    outputs: pairs(&self.outputs),
                    output_new: self.mode == OutputMode::OutputNew,
                    options: self
                        .options
                        .iter()
                        .map(|o| (o.key.clone(), o.value.clone()))
                        .collect(),
                    name_span: crate::runtime::name_span(cx.text, &self.name, &c.name, c.span),
                },
            },
            c,
        ))
    }
}

#[cfg(test)]
mod exec_tests {
    use crate::testkit::{run_with_lookups, try_run_with_lookups};
    use polars::prelude::*;

    fn strs(df: &DataFrame, name: &str) -> Vec<Option<String>> {
        let c = df.column(name).unwrap();
        (0..df.height())
            .map(|i| {
                let v = crate::frame::values_at(c, i);
                (!v.is_empty()).then(|| v.join("|"))
            })
            .collect()
    }

    fn procs() -> DataFrame {
        df!("process_name" => [Some("cmd.exe"), Some("CMD.EXE"), Some("evil.exe"), None]).unwrap()
    }

    #[test]
    fn scripted_shannon_entropy_lookup() {
        let df = df!("w" => [Some("aabb"), Some("abcdefgh"), None], "e" => [Some("9"), None, None])
            .unwrap();
        let out = run_with_lookups(df.clone(), "| lookup ut_shannon_lookup word as w");
        assert_eq!(
            strs(&out, "ut_shannon"),
            [Some("1".into()), Some("3".into()), None]
        );
        // OUTPUTNEW keeps a value already there.
        let out = run_with_lookups(
            df,
            "| lookup ut_shannon_lookup word as w OUTPUTNEW ut_shannon as e",
        );
        assert_eq!(strs(&out, "e"), [Some("9".into()), Some("3".into()), None]);
    }

    #[test]
    fn exact_case_sensitive_and_insensitive() {
        // files_cs: case_sensitive_match true (the default); files_ci: false.
        let out = run_with_lookups(
            procs(),
            "| lookup files_cs file AS process_name OUTPUT kind",
        );
        assert_eq!(
            strs(&out, "kind"),
            vec![Some("system".into()), None, None, None]
        );
        let out = run_with_lookups(
            procs(),
            "| lookup files_ci file AS process_name OUTPUT kind",
        );
        assert_eq!(
            strs(&out, "kind"),
            vec![Some("system".into()), Some("system".into()), None, None]
        );
    }

    #[test]
    fn default_match_when_fewer_than_min_matches() {
        // files_default: min_matches 1, default_match false (security_content's convention).
        let out = run_with_lookups(
            procs(),
            "| lookup files_default file AS process_name OUTPUT kind",
        );
        assert_eq!(
            strs(&out, "kind"),
            vec![
                Some("system".into()),
                Some("system".into()),
                Some("false".into()),
                None // no input value: no lookup, so no default either
            ]
        );
    }

    #[test]
    fn wildcard_match_in_file_order_with_max_matches() {
        let df =
            df!("url" => ["https://AnyDesk.com/download", "tool.teamviewer.com", "example.org"])
                .unwrap();
        // remote: WILDCARD(domain), case-insensitive, max_matches 1.
        let out = run_with_lookups(df.clone(), "| lookup remote domain AS url OUTPUT tool");
        assert_eq!(
            strs(&out, "tool"),
            vec![
                Some("anydesk".into()),
                Some("teamviewer".into()),
                Some("generic".into())
            ]
        );
        // remote_all: same table, default max_matches: both matching rows, file order.
        let out = run_with_lookups(df, "| lookup remote_all domain AS url OUTPUT tool");
        assert_eq!(
            strs(&out, "tool"),
            vec![
                Some("anydesk|generic".into()),
                Some("teamviewer|generic".into()),
                Some("generic".into())
            ]
        );
    }

    #[test]
    fn output_overwrites_outputnew_fills() {
        let df = df!(
            "process_name" => ["cmd.exe", "evil.exe", "cmd.exe"],
            "kind" => [Some("old"), Some("old"), None]
        )
        .unwrap();
        // OUTPUT: every looked-up result gets the table's value, or loses the field on no match.
        let out = run_with_lookups(
            df.clone(),
            "| lookup files_cs file AS process_name OUTPUT kind",
        );
        assert_eq!(
            strs(&out, "kind"),
            vec![Some("system".into()), None, Some("system".into())]
        );
        // OUTPUTNEW: existing values stay; only the missing one is filled.
        let out = run_with_lookups(df, "| lookup files_cs file AS process_name OUTPUTNEW kind");
        assert_eq!(
            strs(&out, "kind"),
            vec![
                Some("old".into()),
                Some("old".into()),
                Some("system".into())
            ]
        );
    }

    #[test]
    fn as_renames_and_no_output_clause() {
        let df = df!("p" => ["cmd.exe"]).unwrap();
        let out = run_with_lookups(
            df.clone(),
            "| lookup update=true files_cs file AS p OUTPUT kind AS k, note AS n",
        );
        assert_eq!(strs(&out, "k"), vec![Some("system".into())]);
        assert_eq!(strs(&out, "n"), vec![Some("shell".into())]);
        assert!(out.column("kind").is_err());
        // No OUTPUT clause: every non-input column of the table, under its own name.
        let out = run_with_lookups(df, "| lookup files_cs file AS p");
        assert_eq!(strs(&out, "kind"), vec![Some("system".into())]);
        assert_eq!(strs(&out, "note"), vec![Some("shell".into())]);
        assert!(out.column("file").is_err());
    }

    #[test]
    fn multivalue_input_matches_each_value_in_order() {
        let mv: ListChunked = [
            Some(Series::new(
                "".into(),
                ["evil.exe", "powershell.exe", "cmd.exe"],
            )),
            Some(Series::new("".into(), ["nope.exe"])),
        ]
        .into_iter()
        .collect();
        let df = DataFrame::new_infer_height(vec![mv.with_name("p".into()).into_column()]).unwrap();
        let out = run_with_lookups(df, "| lookup files_cs file AS p OUTPUT kind");
        assert_eq!(strs(&out, "kind"), vec![Some("system|system".into()), None]);
        assert!(matches!(
            out.column("kind").unwrap().dtype(),
            DataType::List(_)
        ));
    }

    #[test]
    fn several_input_fields_must_all_match() {
        let df = df!("a" => ["x", "x"], "b" => ["1", "2"]).unwrap();
        let out = run_with_lookups(df, "| lookup pairs a, b OUTPUT v");
        assert_eq!(strs(&out, "v"), vec![Some("x1".into()), None]);
    }

    #[test]
    fn numbers_match_as_splunk_prints_them() {
        let df = df!("EventCode" => [8003.0f64, 1.5]).unwrap();
        let out = run_with_lookups(df, "| lookup codes code AS EventCode OUTPUT meaning");
        assert_eq!(strs(&out, "meaning"), vec![Some("blocked".into()), None]);
    }

    #[test]
    fn unknown_lookup_is_an_error_at_its_name() {
        let spl = "| lookup files_cx file AS process_name OUTPUT kind";
        let e = try_run_with_lookups(procs(), spl).unwrap_err();
        assert!(e.message.contains("unknown lookup `files_cx`"), "{e}");
        assert_eq!(e.span.map(|s| &spl[s.start..s.end]), Some("files_cx"));
        assert!(e.notes.iter().any(|n| n.contains("`files_cs`")), "{e}");
    }

    #[test]
    fn unreadable_file_and_missing_field_are_errors() {
        let e = try_run_with_lookups(procs(), "| lookup missing_file a OUTPUT b").unwrap_err();
        assert!(e.message.contains("missing_file"), "{e}");
        assert!(e.message.contains("does_not_exist.csv"), "{e}");
        let e = try_run_with_lookups(procs(), "| lookup lfs_pointer a OUTPUT b").unwrap_err();
        assert!(e.message.contains("Git LFS"), "{e}");
        let e = try_run_with_lookups(
            procs(),
            "| lookup files_cs nofield AS process_name OUTPUT kind",
        )
        .unwrap_err();
        assert!(e.message.contains("no field `nofield`"), "{e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn inputs_outputs_and_mode() {
        let c = parse_command("| lookup update=true remote_access_software remote_domain AS url_domain OUTPUTNEW isutility, description as signature");
        let CommandKind::Lookup(l) = c.kind else {
            panic!()
        };
        assert_eq!(l.name, "remote_access_software");
        assert_eq!(l.options.get_opt("update"), Some("true"));
        assert_eq!(
            l.inputs,
            vec![LookupField {
                lookup_field: "remote_domain".into(),
                event_field: "url_domain".into()
            }]
        );
        assert_eq!(l.mode, OutputMode::OutputNew);
        assert_eq!(
            l.outputs[1],
            LookupField {
                lookup_field: "description".into(),
                event_field: "signature".into()
            }
        );
    }

    #[test]
    fn no_output_clause() {
        let CommandKind::Lookup(l) =
            parse_command("| lookup ut_shannon_lookup word as Task_Name").kind
        else {
            panic!()
        };
        assert!(l.outputs.is_empty());
        assert_eq!(l.inputs[0].event_field, "Task_Name");
    }
}
