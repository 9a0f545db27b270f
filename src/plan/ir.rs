//! The relational IR: a search as a tree of nodes, each taking the results of its input(s).
//!
//! Every SPL command lowers (in its own file under `src/commands/`) to one or more of these nodes.
//! The nodes say *what* is computed in Splunk's terms; a backend (`src/exec/`, polars) says how.
//! Commands whose output columns depend on the data (`spath`, `transaction`, `rex`, ...) lower to
//! [`Op::Opaque`], which only the polars backend runs.

use super::expr::{Predicate, Scalar};
use super::operator::Operator;
use crate::diagnostic::Span;
use serde::Serialize;
use std::sync::Arc;

/// A planned search: the root node gives the search's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub root: Node,
}

/// One node of a plan, with where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Node {
    pub op: Op,
    /// The SPL command the node was lowered from (`search`, `tstats`, `eval`, ...).
    pub command: String,
    /// Where that command stands in the expanded search (errors point at it).
    #[serde(skip)]
    pub span: Span,
    /// The node's output columns as known at plan time (filled by [`super::resolve`]).
    pub columns: Columns,
    /// The command's text in the expanded search (for `explain`).
    #[serde(skip)]
    pub spl: String,
}

/// The output columns of a node, as far as they are known before any data is read.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub enum Columns {
    /// Exactly these columns, in this order.
    Known(Vec<String>),
    /// At least these columns; others depend on the data (events, `spath`, `rex`, ...).
    Open(Vec<String>),
    /// Not resolved (yet).
    #[default]
    Unknown,
}

impl Columns {
    /// The columns known to be there.
    pub fn names(&self) -> &[String] {
        match self {
            Columns::Known(v) | Columns::Open(v) => v,
            Columns::Unknown => &[],
        }
    }

    /// Whether the list is exact.
    pub fn is_exact(&self) -> bool {
        matches!(self, Columns::Known(_))
    }
}

/// What a node computes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Op {
    /// No results and no input (a subsearch that starts with a non-generating command).
    Empty,
    /// Read a table: the events of the searched indexes, a data model dataset, or a generator.
    Scan(Scan),
    /// Keep the results a search-language predicate matches (`search`, `where`, `regex`).
    Filter {
        input: Box<Node>,
        predicate: Predicate,
    },
    /// `eval`: assignments left to right, each seeing the ones before.
    Compute {
        input: Box<Node>,
        assignments: Vec<(String, Scalar)>,
    },
    /// `table` / `fields`: choose columns by name patterns.
    Project {
        input: Box<Node>,
        patterns: Vec<String>,
        mode: ProjectMode,
    },
    /// `rename a AS b` (wildcards pair up: `Processes.* AS *`), left to right.
    Rename {
        input: Box<Node>,
        pairs: Vec<(String, String)>,
    },
    /// The stats family and `tstats`: one row per distinct BY tuple (ordered by it), the BY
    /// fields then the aggregates.
    Aggregate {
        input: Box<Node>,
        aggregates: Vec<AggCall>,
        by: Vec<String>,
        nulls: NullGroups,
        /// `span=` for a `_time` BY field.
        span: Option<String>,
    },
    /// `eventstats` / `streamstats`: aggregates added to every result.
    Window {
        input: Box<Node>,
        aggregates: Vec<AggCall>,
        by: Vec<String>,
        frame: WindowFrame,
    },
    /// `sort`: by keys (numbers before strings, as Splunk orders), then at most `limit` results
    /// (`None`: all).
    Sort {
        input: Box<Node>,
        keys: Vec<SortKey>,
        /// A trailing `desc`: the whole order reversed.
        reverse: bool,
        limit: Option<u64>,
    },
    /// `head N` (from the start) / `tail N` (the last N, last first).
    Limit {
        input: Box<Node>,
        count: u64,
        from_end: bool,
    },
    /// `head <expr>`: results while the expression holds (`keeplast=t` adds the first that does
    /// not; `null=t` treats null as true).
    TakeWhile {
        input: Box<Node>,
        condition: Scalar,
        keeplast: bool,
        null_true: bool,
    },
    /// `reverse`: the results in the opposite order.
    Reverse { input: Box<Node> },
    /// `dedup`: the first `count` results of each combination of values of `fields`.
    Dedup {
        input: Box<Node>,
        fields: Vec<String>,
        count: u64,
        keepempty: bool,
        consecutive: bool,
        sortby: Vec<SortKey>,
    },
    /// `append` (and `tstats append=t`): the inputs' results one after the other.
    Union { inputs: Vec<Node> },
    /// `join`: each result of `left` with the `right` results that share the join fields.
    Join {
        left: Box<Node>,
        right: Box<Node>,
        fields: Vec<String>,
        kind: JoinKind,
        /// How many right results join one left result (0: all).
        max: u64,
    },
    /// `mvexpand`: one result per value of a multivalue field (at most `limit` per result).
    Explode {
        input: Box<Node>,
        field: String,
        limit: Option<u64>,
    },
    /// `lookup`: enrich results from a lookup table.
    Lookup { input: Box<Node>, spec: LookupSpec },
    /// A command whose output columns depend on the data; run by its own operator.
    Opaque {
        input: Box<Node>,
        #[serde(serialize_with = "ser_operator")]
        operator: Arc<dyn Operator>,
    },
}

fn ser_operator<S: serde::Serializer>(o: &Arc<dyn Operator>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&o.describe())
}

impl PartialEq for dyn Operator {
    fn eq(&self, other: &Self) -> bool {
        self.describe() == other.describe()
    }
}

/// Where a scan reads.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Scan {
    /// The events of the searched indexes (the implied `search`).
    Events,
    /// A data model dataset's table, e.g. `Endpoint.Processes`.
    Datamodel { dataset: String },
    /// A generating command (`makeresults`, `inputlookup`, ...).
    Generator(#[serde(serialize_with = "ser_operator")] Arc<dyn Operator>),
}

/// How `table` and `fields` choose columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ProjectMode {
    /// `table`: only the matching columns, in the order of the patterns.
    Table,
    /// `fields + ...`: the matching columns (and the internal `_time`, `_raw`).
    Keep,
    /// `fields - ...`: every column but the matching ones.
    Remove,
}

/// How rows with a null `BY` field are treated when aggregating.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum NullGroups {
    /// `stats`: rows whose BY field is null are dropped.
    Drop,
    /// `tstats fillnull_value=X`: the null BY field takes the value X.
    Fill(String),
}

/// One aggregate of the stats family: `count`, `dc(user) AS users`, `count(eval(x>1))`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AggCall {
    /// The function, lower case (`count`, `values`, `perc95`, ...).
    pub func: String,
    pub arg: Option<AggInput>,
    /// `AS name`.
    pub alias: Option<String>,
    #[serde(skip)]
    pub span: Span,
}

/// What an aggregate reads.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum AggInput {
    /// A field (may hold `*` wildcards, resolved against the input's columns).
    Field(String),
    /// `eval(expr)`, with the expression's text (Splunk names the column after it).
    Eval(Scalar, String),
}

impl AggCall {
    /// The output column: the alias, or Splunk's default name (`count`, `dc(user)`).
    pub fn output_name(&self) -> String {
        if let Some(a) = &self.alias {
            return a.clone();
        }
        match &self.arg {
            None => self.func.clone(),
            Some(AggInput::Field(f)) => format!("{}({})", self.func, f),
            Some(AggInput::Eval(_, text)) => format!("{}(eval({}))", self.func, text),
        }
    }
}

/// The frame of a window aggregate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum WindowFrame {
    /// `eventstats`: all results of the group.
    All,
    /// `streamstats`: the results so far in result order (`window=N`: the last N;
    /// `current=f`: excluding the result itself).
    Running { window: usize, current: bool },
}

/// One sort key.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SortKey {
    pub field: String,
    pub descending: bool,
    /// `auto` (numbers before strings), `str`, `num` or `ip`.
    pub func: Option<String>,
}

/// `type=` of `join`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum JoinKind {
    Inner,
    /// `left` or `outer`: every left result is kept.
    Left,
}

/// A `lookup` command, resolved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LookupSpec {
    /// The lookup definition or file name as written.
    pub name: String,
    /// (column in the table, field in the results).
    pub inputs: Vec<(String, String)>,
    /// (column in the table, field written); empty: every column that is not an input.
    pub outputs: Vec<(String, String)>,
    /// `OUTPUTNEW`: fill only fields that are missing.
    pub output_new: bool,
    /// Options given to the command (`local=`, `update=`), for errors.
    pub options: Vec<(String, String)>,
    /// Where the lookup's name stands, for "unknown lookup" errors.
    #[serde(skip)]
    pub name_span: Span,
}

/// The inputs of an op, by reference or mutable reference (one list of the node kinds).
macro_rules! inputs_of {
    ($op:expr, $iter:ident $(, $m:ident)?) => {
        match $op {
            Op::Empty | Op::Scan(_) => Vec::new(),
            Op::Filter { input, .. }
            | Op::Compute { input, .. }
            | Op::Project { input, .. }
            | Op::Rename { input, .. }
            | Op::Aggregate { input, .. }
            | Op::Window { input, .. }
            | Op::Sort { input, .. }
            | Op::Limit { input, .. }
            | Op::TakeWhile { input, .. }
            | Op::Reverse { input }
            | Op::Dedup { input, .. }
            | Op::Explode { input, .. }
            | Op::Lookup { input, .. }
            | Op::Opaque { input, .. } => vec![&$($m)? **input],
            Op::Union { inputs } => inputs.$iter().collect(),
            Op::Join { left, right, .. } => vec![&$($m)? **left, &$($m)? **right],
        }
    };
}

impl Op {
    /// The node's inputs, in order.
    pub fn inputs(&self) -> Vec<&Node> {
        inputs_of!(self, iter)
    }

    /// The node's inputs, mutable.
    pub fn inputs_mut(&mut self) -> Vec<&mut Node> {
        inputs_of!(self, iter_mut, mut)
    }

    /// A short name for the node kind (`explain`).
    pub fn kind(&self) -> &'static str {
        match self {
            Op::Empty => "Empty",
            Op::Scan(_) => "Scan",
            Op::Filter { .. } => "Filter",
            Op::Compute { .. } => "Compute",
            Op::Project { .. } => "Project",
            Op::Rename { .. } => "Rename",
            Op::Aggregate { .. } => "Aggregate",
            Op::Window { .. } => "Window",
            Op::Sort { .. } => "Sort",
            Op::Limit { .. } => "Limit",
            Op::TakeWhile { .. } => "TakeWhile",
            Op::Reverse { .. } => "Reverse",
            Op::Dedup { .. } => "Dedup",
            Op::Union { .. } => "Union",
            Op::Join { .. } => "Join",
            Op::Explode { .. } => "Explode",
            Op::Lookup { .. } => "Lookup",
            Op::Opaque { .. } => "Opaque",
        }
    }
}

impl Node {
    /// A node lowered from a command.
    pub fn new(op: Op, command: impl Into<String>, span: Span) -> Node {
        Node {
            op,
            command: command.into(),
            span,
            columns: Columns::Unknown,
            spl: String::new(),
        }
    }

    /// The empty input of a pipeline that does not start with a generating command.
    pub fn empty() -> Node {
        Node::new(Op::Empty, "", Span::new(0, 0))
    }

    /// Whether this is the empty input.
    pub fn is_empty_input(&self) -> bool {
        matches!(self.op, Op::Empty)
    }
}
