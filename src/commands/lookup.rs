//! `lookup`: enrich results from a lookup table: match on input fields, then `OUTPUT`
//! (overwrite) or `OUTPUTNEW` (fill only missing) output fields.

#[allow(unused_imports)]
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
