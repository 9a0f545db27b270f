//! The function table: one entry per eval function and per stats/chart/timechart/tstats aggregate
//! function that Splunk documents (Search Reference, "Evaluation functions" and "Statistical and
//! charting functions"), with its arity, argument kinds, a one-line doc and whether spelunk runs
//! it today.
//!
//! The table is the single source of truth for function *names and arity*: the eval compiler
//! (`expr::functions::call`) and the aggregator (`exec::aggregate`) check every call against it
//! with [`check_call`] before compiling, so an unknown name, a known but unsupported function
//! and a wrong argument count are reported the same way everywhere, with did-you-mean notes.
//! `explain`, REPL completion and a second backend read the same table.
//!
//! The percentile aggregates are families: `perc95`, `p95`, `exactperc99.9`, `upperperc5` resolve
//! to the entries `perc`, `exactperc` and `upperperc` ([`stats_function`]).

use crate::diagnostic::Diagnostic;
use serde::Serialize;

/// Which language a function belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum FunctionClass {
    /// An evaluation function: `eval`, `where`, `fieldformat` and eval expressions elsewhere.
    Eval,
    /// A statistical and charting function: `stats`, `chart`, `timechart`, `tstats`,
    /// `eventstats`, `streamstats`, `mstats`.
    Stats,
}

/// What an argument (or a result) is, in Splunk's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ArgKind {
    /// Any value: a string, a number, a Boolean or a multivalue.
    Any,
    Number,
    /// A string (a literal or any expression that results in a string).
    Text,
    /// A Boolean result (eval's `true()`/`false()`, a comparison).
    Bool,
    /// Always null (`null()`).
    Null,
    /// A field name: an aggregate's field (or `eval(<expression>)`), `mvmap`'s multivalue field.
    Field,
    /// A regular expression (PCRE).
    Regex,
    /// A condition, evaluated as true or false.
    Predicate,
    /// An expression evaluated once per value of a multivalue (`mvmap`).
    Expression,
    /// A multivalue field or expression (a single value is a multivalue of one).
    Multivalue,
    /// A `strftime` format (`%Y-%m-%dT%H:%M:%S`).
    TimeFormat,
    /// A relative time specifier (`-1d@d`).
    TimeModifier,
    /// A JSON object or array, as text.
    Json,
}

impl ArgKind {
    /// The kind as a noun, for messages.
    pub fn noun(self) -> &'static str {
        match self {
            ArgKind::Any => "value",
            ArgKind::Number => "number",
            ArgKind::Text => "string",
            ArgKind::Bool => "Boolean",
            ArgKind::Null => "null",
            ArgKind::Field => "field",
            ArgKind::Regex => "regular expression",
            ArgKind::Predicate => "condition",
            ArgKind::Expression => "expression",
            ArgKind::Multivalue => "multivalue",
            ArgKind::TimeFormat => "time format",
            ArgKind::TimeModifier => "time modifier",
            ArgKind::Json => "JSON",
        }
    }
}

/// One function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FunctionDef {
    /// Lower case; a percentile family's prefix (`perc`, `exactperc`, `upperperc`).
    pub name: &'static str,
    pub class: FunctionClass,
    /// Other names of the same function (`c` for `count`, `ceil` for `ceiling`, `p` for `perc`).
    pub aliases: &'static [&'static str],
    /// The call as Splunk documents it, optional arguments in brackets.
    pub syntax: &'static str,
    pub min_args: usize,
    /// `None`: variadic.
    pub max_args: Option<usize>,
    /// Kinds of the leading arguments; for a variadic function the last `repeat` kinds repeat.
    pub args: &'static [ArgKind],
    /// How many trailing kinds of `args` repeat as a group: 1, or 2 for `case`'s condition and
    /// value pairs (the count after the fixed arguments must then be a multiple of 2).
    pub repeat: usize,
    pub returns: ArgKind,
    /// Splunk's group: "Text", "Multivalue", "Conversion", "Aggregate", "Time", ...
    pub category: &'static str,
    /// One line, in Splunk's terms.
    pub doc: &'static str,
    /// spelunk runs it today.
    pub implemented: bool,
}

impl FunctionDef {
    /// The kind of argument `i` (0-based), or None past the maximum.
    pub fn arg_kind(&self, i: usize) -> Option<ArgKind> {
        if self.max_args.is_some_and(|m| i >= m) || self.args.is_empty() {
            return None;
        }
        if let Some(k) = self.args.get(i) {
            return Some(*k);
        }
        let repeat = self.repeat.clamp(1, self.args.len());
        let fixed = self.args.len() - repeat;
        self.args.get(fixed + (i - fixed) % repeat).copied()
    }

    /// Whether `name` (lower case) is this function's name or one of its aliases.
    fn is_named(&self, name: &str) -> bool {
        self.name == name || self.aliases.contains(&name)
    }

    /// A percentile family (`perc<X>`, `exactperc<X>`, `upperperc<X>`).
    fn is_family(&self) -> bool {
        self.syntax.contains("<X>(")
    }
}

use ArgKind as K;
use FunctionClass::{Eval, Stats};

const fn def(
    name: &'static str,
    syntax: &'static str,
    min_args: usize,
    max_args: Option<usize>,
    args: &'static [ArgKind],
    returns: ArgKind,
    doc: &'static str,
) -> FunctionDef {
    FunctionDef {
        name,
        class: Eval,
        aliases: &[],
        syntax,
        min_args,
        max_args,
        args,
        repeat: 1,
        returns,
        category: "",
        doc,
        implemented: false,
    }
}

impl FunctionDef {
    const fn cat(mut self, category: &'static str) -> Self {
        self.category = category;
        self
    }
    const fn runs(mut self) -> Self {
        self.implemented = true;
        self
    }
    const fn stats(mut self) -> Self {
        self.class = Stats;
        self
    }
    const fn alias(mut self, aliases: &'static [&'static str]) -> Self {
        self.aliases = aliases;
        self
    }
    const fn pairs(mut self) -> Self {
        self.repeat = 2;
        self
    }
}

const ONE: Option<usize> = Some(1);
const TWO: Option<usize> = Some(2);
const THREE: Option<usize> = Some(3);
const ANY: Option<usize> = None;

const COND: &str = "Comparison and Conditional";
const CONV: &str = "Conversion";
const CRYPTO: &str = "Cryptographic";
const TIME: &str = "Date and Time";
const INFO: &str = "Informational";
const JSON: &str = "JSON";
const MATH: &str = "Mathematical";
const MV: &str = "Multivalue";
const STAT: &str = "Statistical";
const TEXT: &str = "Text";
const TRIG: &str = "Trig and Hyperbolic";
const BIT: &str = "Bitwise";

const AGG: &str = "Aggregate";
const ORDER: &str = "Event order";
const MVSTATS: &str = "Multivalue stats and chart";
const TIMEFN: &str = "Time";

/// Every function, eval first, then the statistical and charting functions.
#[rustfmt::skip]
pub static FUNCTIONS: &[FunctionDef] = &[
    // ---- Comparison and Conditional functions ----
    def("case", "case(<condition>, <value>, ...)", 2, ANY, &[K::Predicate, K::Any], K::Any,
        "Accepts alternating conditions and values; returns the first value whose condition is TRUE.")
        .cat(COND).pairs().runs(),
    def("cidrmatch", "cidrmatch(<cidr>, <ip>)", 2, TWO, &[K::Text, K::Text], K::Bool,
        "Returns TRUE if the IP address belongs to the subnet in CIDR notation.")
        .cat(COND).runs(),
    def("coalesce", "coalesce(<values>)", 1, ANY, &[K::Any], K::Any,
        "Takes one or more values and returns the first value that is not NULL.")
        .cat(COND).runs(),
    def("false", "false()", 0, Some(0), &[], K::Bool, "Returns FALSE.").cat(COND).runs(),
    def("if", "if(<predicate>, <true_value>, <false_value>)", 3, THREE,
        &[K::Predicate, K::Any, K::Any], K::Any,
        "Returns <true_value> if the predicate is TRUE, otherwise <false_value>.")
        .cat(COND).runs(),
    def("in", "in(<value>, <list>)", 2, ANY, &[K::Any, K::Any], K::Bool,
        "Returns TRUE if one of the values in the list matches the value (also written `<value> IN (<list>)`).")
        .cat(COND).runs(),
    def("like", "like(<str>, <pattern>)", 2, TWO, &[K::Text, K::Text], K::Bool,
        "Returns TRUE if the string matches the SQL LIKE pattern (% any run of characters, _ one character).")
        .cat(COND).runs(),
    def("lookup", "lookup(<lookup_table>, <json_object>[, <json_array>])", 2, THREE,
        &[K::Text, K::Json, K::Json], K::Json,
        "Looks up the input fields of a JSON object in a CSV lookup table and returns the output fields as a JSON object.")
        .cat(COND),
    def("match", "match(<str>, <regex>)", 2, TWO, &[K::Text, K::Regex], K::Bool,
        "Returns TRUE if the regular expression finds a match against any substring of the string.")
        .cat(COND).runs(),
    def("null", "null()", 0, Some(0), &[], K::Null, "Returns NULL.").cat(COND).runs(),
    def("nullif", "nullif(<field1>, <field2>)", 2, TWO, &[K::Any, K::Any], K::Any,
        "Returns NULL if the two arguments are equal, otherwise the first argument.")
        .cat(COND).runs(),
    def("searchmatch", "searchmatch(<search_str>)", 1, ONE, &[K::Text], K::Bool,
        "Returns TRUE if the event matches the search string.")
        .cat(COND),
    def("true", "true()", 0, Some(0), &[], K::Bool, "Returns TRUE.").cat(COND).runs(),
    def("validate", "validate(<condition>, <value>, ...)", 2, ANY, &[K::Predicate, K::Text], K::Text,
        "Takes pairs of conditions and strings; returns the string of the first condition that is FALSE.")
        .cat(COND).pairs(),
    // ---- Conversion functions ----
    def("ipmask", "ipmask(<mask>, <ip>)", 2, TWO, &[K::Text, K::Text], K::Text,
        "Generates a new masked IP address by applying a mask to an IP address.")
        .cat(CONV),
    def("printf", "printf(<format>, <arguments>)", 1, ANY, &[K::Text, K::Any], K::Text,
        "Builds a string from a format string and arguments, as the C sprintf function.")
        .cat(CONV).runs(),
    def("tonumber", "tonumber(<str>[, <base>])", 1, TWO, &[K::Text, K::Number], K::Number,
        "Converts a string to a number, in base 10 or the given base (2 to 36).")
        .cat(CONV).runs(),
    def("tostring", "tostring(<value>[, <format>])", 1, TWO, &[K::Any, K::Text], K::Text,
        "Converts a value to a string; the format is \"hex\", \"commas\" or \"duration\".")
        .cat(CONV).runs(),
    // ---- Cryptographic functions ----
    def("md5", "md5(<str>)", 1, ONE, &[K::Text], K::Text,
        "Computes the MD5 hash of the string.").cat(CRYPTO).runs(),
    def("sha1", "sha1(<str>)", 1, ONE, &[K::Text], K::Text,
        "Computes the SHA1 hash of the string.").cat(CRYPTO).runs(),
    def("sha256", "sha256(<str>)", 1, ONE, &[K::Text], K::Text,
        "Computes the SHA256 hash of the string.").cat(CRYPTO).runs(),
    def("sha512", "sha512(<str>)", 1, ONE, &[K::Text], K::Text,
        "Computes the SHA512 hash of the string.").cat(CRYPTO).runs(),
    // ---- Date and Time functions ----
    def("now", "now()", 0, Some(0), &[], K::Number,
        "Returns the time the search was started, in UNIX time.").cat(TIME).runs(),
    def("relative_time", "relative_time(<time>, <specifier>)", 2, TWO,
        &[K::Number, K::TimeModifier], K::Number,
        "Adjusts a UNIX time by a relative time specifier such as -1d@d.")
        .cat(TIME).runs(),
    def("strftime", "strftime(<time>, <format>)", 2, TWO, &[K::Number, K::TimeFormat], K::Text,
        "Formats a UNIX time as a string with the given format.").cat(TIME).runs(),
    def("strptime", "strptime(<str>, <format>)", 2, TWO, &[K::Text, K::TimeFormat], K::Number,
        "Parses a time string in the given format and returns it as UNIX time.").cat(TIME).runs(),
    def("time", "time()", 0, Some(0), &[], K::Number,
        "Returns the wall-clock time, in UNIX time with microseconds.").cat(TIME).runs(),
    // ---- Informational functions ----
    def("isbool", "isbool(<value>)", 1, ONE, &[K::Any], K::Bool,
        "Returns TRUE if the value is Boolean.").cat(INFO).runs(),
    def("isint", "isint(<value>)", 1, ONE, &[K::Any], K::Bool,
        "Returns TRUE if the value is an integer.").cat(INFO).runs(),
    def("isnotnull", "isnotnull(<value>)", 1, ONE, &[K::Any], K::Bool,
        "Returns TRUE if the value is not NULL.").cat(INFO).runs(),
    def("isnull", "isnull(<value>)", 1, ONE, &[K::Any], K::Bool,
        "Returns TRUE if the value is NULL.").cat(INFO).runs(),
    def("isnum", "isnum(<value>)", 1, ONE, &[K::Any], K::Bool,
        "Returns TRUE if the value is a number.").cat(INFO).runs(),
    def("isstr", "isstr(<value>)", 1, ONE, &[K::Any], K::Bool,
        "Returns TRUE if the value is a string.").cat(INFO).runs(),
    def("typeof", "typeof(<value>)", 1, ONE, &[K::Any], K::Text,
        "Returns the type of the value: Number, String, Boolean, Invalid or Multivalue.")
        .cat(INFO).runs(),
    // ---- JSON functions ----
    def("json", "json(<value>)", 1, ONE, &[K::Any], K::Json,
        "Returns the value if it is valid JSON, otherwise NULL.").cat(JSON),
    def("json_append", "json_append(<json>, <path>, <value>, ...)", 3, ANY,
        &[K::Json, K::Text, K::Any], K::Json,
        "Appends values to the arrays at the given paths of a JSON object.").cat(JSON).pairs(),
    def("json_array", "json_array(<values>)", 0, ANY, &[K::Any], K::Json,
        "Creates a JSON array from a list of values.").cat(JSON),
    def("json_array_to_mv", "json_array_to_mv(<json_array>[, <boolean>])", 1, TWO,
        &[K::Json, K::Bool], K::Multivalue,
        "Maps the elements of a JSON array to a multivalue.").cat(JSON),
    def("json_delete", "json_delete(<json>, <keys>)", 1, ANY, &[K::Json, K::Text], K::Json,
        "Removes keys and their values from a JSON object.").cat(JSON),
    def("json_entries", "json_entries(<value>)", 1, ONE, &[K::Json], K::Json,
        "Converts a JSON object to an array of objects with key and value fields.").cat(JSON),
    def("json_extend", "json_extend(<json>, <path>, <value>, ...)", 3, ANY,
        &[K::Json, K::Text, K::Any], K::Json,
        "Extends the arrays at the given paths of a JSON object with the values of arrays.")
        .cat(JSON).pairs(),
    def("json_extract", "json_extract(<json>, <paths>)", 1, ANY, &[K::Json, K::Text], K::Any,
        "Returns the values at zero or more paths of a JSON value, as native values or a JSON array.")
        .cat(JSON).runs(),
    def("json_extract_exact", "json_extract_exact(<json>, <keys>)", 1, ANY,
        &[K::Json, K::Text], K::Any,
        "Returns the values of literal keys of a JSON object.").cat(JSON),
    def("json_has_key_exact", "json_has_key_exact(<json>, <key>)", 2, TWO,
        &[K::Json, K::Text], K::Bool,
        "Returns TRUE if the JSON object has the key.").cat(JSON),
    def("json_keys", "json_keys(<json>)", 1, ONE, &[K::Json], K::Json,
        "Returns the keys of a JSON object as a JSON array.").cat(JSON),
    def("json_object", "json_object(<key>, <value>, ...)", 0, ANY, &[K::Text, K::Any], K::Json,
        "Creates a JSON object from key-value pairs.").cat(JSON).pairs(),
    def("json_set", "json_set(<json>, <path>, <value>, ...)", 3, ANY,
        &[K::Json, K::Text, K::Any], K::Json,
        "Inserts or overwrites values at the given paths of a JSON object.").cat(JSON).pairs(),
    def("json_set_exact", "json_set_exact(<json>, <key>, <value>, ...)", 3, ANY,
        &[K::Json, K::Text, K::Any], K::Json,
        "Inserts or overwrites values of literal keys of a JSON object.").cat(JSON).pairs(),
    def("json_valid", "json_valid(<json>)", 1, ONE, &[K::Any], K::Bool,
        "Returns TRUE if the value is valid JSON.").cat(JSON),
    // ---- Mathematical functions ----
    def("abs", "abs(<num>)", 1, ONE, &[K::Number], K::Number,
        "Returns the absolute value of a number.").cat(MATH).runs(),
    def("ceiling", "ceiling(<num>)", 1, ONE, &[K::Number], K::Number,
        "Rounds a number up to the next highest integer.").cat(MATH).alias(&["ceil"]).runs(),
    def("exact", "exact(<expression>)", 1, ONE, &[K::Number], K::Number,
        "Evaluates an expression with full precision.").cat(MATH).runs(),
    def("exp", "exp(<num>)", 1, ONE, &[K::Number], K::Number,
        "Returns e to the power of the number.").cat(MATH).runs(),
    def("floor", "floor(<num>)", 1, ONE, &[K::Number], K::Number,
        "Rounds a number down to the nearest whole integer.").cat(MATH).runs(),
    def("ln", "ln(<num>)", 1, ONE, &[K::Number], K::Number,
        "Returns the natural logarithm of a number.").cat(MATH).runs(),
    def("log", "log(<num>[, <base>])", 1, TWO, &[K::Number, K::Number], K::Number,
        "Returns the logarithm of a number in the base (10 by default).").cat(MATH).runs(),
    def("pi", "pi()", 0, Some(0), &[], K::Number,
        "Returns the constant pi to 11 digits of precision.").cat(MATH),
    def("pow", "pow(<num>, <exponent>)", 2, TWO, &[K::Number, K::Number], K::Number,
        "Returns a number raised to the power of the exponent.").cat(MATH).runs(),
    def("round", "round(<num>[, <precision>])", 1, TWO, &[K::Number, K::Number], K::Number,
        "Rounds a number to the given number of decimal places (0 by default).")
        .cat(MATH).runs(),
    def("sigfig", "sigfig(<num>)", 1, ONE, &[K::Number], K::Number,
        "Rounds the result of a calculation to the appropriate number of significant figures.")
        .cat(MATH),
    def("sqrt", "sqrt(<num>)", 1, ONE, &[K::Number], K::Number,
        "Returns the square root of a number.").cat(MATH).runs(),
    def("sum", "sum(<num>, ...)", 1, ANY, &[K::Number], K::Number,
        "Returns the sum of the numeric values of its arguments.").cat(MATH),
    // ---- Multivalue eval functions ----
    def("commands", "commands(<value>)", 1, ONE, &[K::Text], K::Multivalue,
        "Returns the commands used in a search string.").cat(MV),
    def("mv_to_json_array", "mv_to_json_array(<field>[, <infer_types>])", 1, TWO,
        &[K::Multivalue, K::Bool], K::Json,
        "Maps the values of a multivalue to a JSON array.").cat(MV),
    def("mvappend", "mvappend(<values>)", 1, ANY, &[K::Any], K::Multivalue,
        "Returns a multivalue of all the values of its arguments.").cat(MV).runs(),
    def("mvcount", "mvcount(<mv>)", 1, ONE, &[K::Multivalue], K::Number,
        "Returns the number of values of a field (NULL if it has none).").cat(MV).runs(),
    def("mvdedup", "mvdedup(<mv>)", 1, ONE, &[K::Multivalue], K::Multivalue,
        "Removes duplicate values from a multivalue.").cat(MV).runs(),
    def("mvfilter", "mvfilter(<predicate>)", 1, ONE, &[K::Predicate], K::Multivalue,
        "Keeps the values of a multivalue field for which the predicate over that one field is TRUE.")
        .cat(MV).runs(),
    def("mvfind", "mvfind(<mv>, <regex>)", 2, TWO, &[K::Multivalue, K::Regex], K::Number,
        "Returns the index of the first value that matches the regular expression, or NULL.")
        .cat(MV).runs(),
    def("mvindex", "mvindex(<mv>, <start>[, <end>])", 2, THREE,
        &[K::Multivalue, K::Number, K::Number], K::Any,
        "Returns the value at the index, or the values from start to end inclusive (negative counts from the end).")
        .cat(MV).runs(),
    def("mvjoin", "mvjoin(<mv>, <delim>)", 2, TWO, &[K::Multivalue, K::Text], K::Text,
        "Joins the values of a multivalue with the delimiter.").cat(MV).runs(),
    def("mvmap", "mvmap(<mv>, <expression>)", 2, TWO, &[K::Field, K::Expression], K::Multivalue,
        "Evaluates the expression for each value of a multivalue field and returns the results.")
        .cat(MV).runs(),
    def("mvrange", "mvrange(<start>, <end>[, <step>])", 2, THREE,
        &[K::Number, K::Number, K::Any], K::Multivalue,
        "Returns a multivalue of numbers from start to end (exclusive) by step, or of times by a time span.")
        .cat(MV),
    def("mvsort", "mvsort(<mv>)", 1, ONE, &[K::Multivalue], K::Multivalue,
        "Sorts the values of a multivalue lexicographically.").cat(MV).runs(),
    def("mvzip", "mvzip(<mv_left>, <mv_right>[, <delim>])", 2, THREE,
        &[K::Multivalue, K::Multivalue, K::Text], K::Multivalue,
        "Combines the values of two multivalues pairwise, joined by the delimiter (a comma by default).")
        .cat(MV).runs(),
    def("split", "split(<str>, <delim>)", 2, TWO, &[K::Text, K::Text], K::Multivalue,
        "Splits a string on the delimiter into a multivalue.").cat(MV).runs(),
    // ---- Statistical eval functions ----
    def("avg", "avg(<values>)", 1, ANY, &[K::Any], K::Number,
        "Returns the average of the numeric values of its arguments.").cat(STAT),
    def("max", "max(<values>)", 1, ANY, &[K::Any], K::Any,
        "Returns the maximum of its arguments: numbers numerically, strings are greater than numbers.")
        .cat(STAT).runs(),
    def("min", "min(<values>)", 1, ANY, &[K::Any], K::Any,
        "Returns the minimum of its arguments: numbers numerically, numbers are less than strings.")
        .cat(STAT).runs(),
    def("random", "random()", 0, Some(0), &[], K::Number,
        "Returns a pseudo-random integer from 0 to 2^31-1.").cat(STAT),
    // ---- Text functions ----
    def("len", "len(<str>)", 1, ONE, &[K::Text], K::Number,
        "Returns the number of characters in a string.").cat(TEXT).runs(),
    def("lower", "lower(<str>)", 1, ONE, &[K::Text], K::Text,
        "Returns the string in lower case.").cat(TEXT).runs(),
    def("ltrim", "ltrim(<str>[, <trim_chars>])", 1, TWO, &[K::Text, K::Text], K::Text,
        "Removes the characters (space and tab by default) from the left of a string.")
        .cat(TEXT).runs(),
    def("replace", "replace(<str>, <regex>, <replacement>)", 3, THREE,
        &[K::Text, K::Regex, K::Text], K::Text,
        "Replaces every match of the regular expression with the replacement (\\1 for a group).")
        .cat(TEXT).runs(),
    def("rtrim", "rtrim(<str>[, <trim_chars>])", 1, TWO, &[K::Text, K::Text], K::Text,
        "Removes the characters (space and tab by default) from the right of a string.")
        .cat(TEXT).runs(),
    def("spath", "spath(<value>, <path>)", 2, TWO, &[K::Text, K::Text], K::Any,
        "Extracts the value at a path of XML or JSON text.").cat(TEXT).runs(),
    def("substr", "substr(<str>, <start>[, <length>])", 2, THREE,
        &[K::Text, K::Number, K::Number], K::Text,
        "Returns a substring from the 1-based start (negative counts from the end), of the length.")
        .cat(TEXT).runs(),
    def("trim", "trim(<str>[, <trim_chars>])", 1, TWO, &[K::Text, K::Text], K::Text,
        "Removes the characters (space and tab by default) from both sides of a string.")
        .cat(TEXT).runs(),
    def("upper", "upper(<str>)", 1, ONE, &[K::Text], K::Text,
        "Returns the string in upper case.").cat(TEXT).runs(),
    def("urldecode", "urldecode(<url>)", 1, ONE, &[K::Text], K::Text,
        "Decodes a URL-encoded string.").cat(TEXT).runs(),
    // ---- Trig and Hyperbolic functions ----
    def("acos", "acos(<num>)", 1, ONE, &[K::Number], K::Number,
        "Computes the arc cosine of a number, in radians.").cat(TRIG),
    def("acosh", "acosh(<num>)", 1, ONE, &[K::Number], K::Number,
        "Computes the arc hyperbolic cosine of a number.").cat(TRIG),
    def("asin", "asin(<num>)", 1, ONE, &[K::Number], K::Number,
        "Computes the arc sine of a number, in radians.").cat(TRIG),
    def("asinh", "asinh(<num>)", 1, ONE, &[K::Number], K::Number,
        "Computes the arc hyperbolic sine of a number.").cat(TRIG),
    def("atan", "atan(<num>)", 1, ONE, &[K::Number], K::Number,
        "Computes the arc tangent of a number, in radians.").cat(TRIG),
    def("atan2", "atan2(<y>, <x>)", 2, TWO, &[K::Number, K::Number], K::Number,
        "Computes the arc tangent of y/x, in radians, using the signs to find the quadrant.")
        .cat(TRIG),
    def("atanh", "atanh(<num>)", 1, ONE, &[K::Number], K::Number,
        "Computes the arc hyperbolic tangent of a number.").cat(TRIG),
    def("cos", "cos(<angle>)", 1, ONE, &[K::Number], K::Number,
        "Computes the cosine of an angle in radians.").cat(TRIG),
    def("cosh", "cosh(<num>)", 1, ONE, &[K::Number], K::Number,
        "Computes the hyperbolic cosine of a number.").cat(TRIG),
    def("hypot", "hypot(<x>, <y>)", 2, TWO, &[K::Number, K::Number], K::Number,
        "Computes the hypotenuse of a right triangle with legs x and y.").cat(TRIG),
    def("sin", "sin(<angle>)", 1, ONE, &[K::Number], K::Number,
        "Computes the sine of an angle in radians.").cat(TRIG),
    def("sinh", "sinh(<num>)", 1, ONE, &[K::Number], K::Number,
        "Computes the hyperbolic sine of a number.").cat(TRIG),
    def("tan", "tan(<angle>)", 1, ONE, &[K::Number], K::Number,
        "Computes the tangent of an angle in radians.").cat(TRIG),
    def("tanh", "tanh(<num>)", 1, ONE, &[K::Number], K::Number,
        "Computes the hyperbolic tangent of a number.").cat(TRIG),
    // ---- Bitwise functions ----
    def("bit_and", "bit_and(<values>)", 2, ANY, &[K::Number], K::Number,
        "Bitwise AND of two or more nonnegative integers.").cat(BIT),
    def("bit_not", "bit_not(<value>[, <bitmask>])", 1, TWO, &[K::Number, K::Number], K::Number,
        "Bitwise NOT of a nonnegative integer, within the bitmask.").cat(BIT),
    def("bit_or", "bit_or(<values>)", 2, ANY, &[K::Number], K::Number,
        "Bitwise OR of two or more nonnegative integers.").cat(BIT),
    def("bit_shift_left", "bit_shift_left(<value>, <shift_offset>)", 2, TWO,
        &[K::Number, K::Number], K::Number,
        "Shifts an integer left by the number of bits.").cat(BIT),
    def("bit_shift_right", "bit_shift_right(<value>, <shift_offset>)", 2, TWO,
        &[K::Number, K::Number], K::Number,
        "Shifts an integer right by the number of bits.").cat(BIT),
    def("bit_xor", "bit_xor(<values>)", 2, ANY, &[K::Number], K::Number,
        "Bitwise XOR of two or more nonnegative integers.").cat(BIT),
    // ---- Aggregate functions (stats, chart, timechart, tstats, eventstats, streamstats) ----
    def("avg", "avg(<value>)", 1, ONE, &[K::Field], K::Number,
        "Returns the average of the values of the field.").stats().cat(AGG).runs(),
    def("count", "count[(<value>)]", 0, ONE, &[K::Field], K::Number,
        "Returns the number of events, or of occurrences of the field.")
        .stats().cat(AGG).alias(&["c"]).runs(),
    def("distinct_count", "distinct_count(<value>)", 1, ONE, &[K::Field], K::Number,
        "Returns the count of distinct values of the field.")
        .stats().cat(AGG).alias(&["dc"]).runs(),
    def("estdc", "estdc(<value>)", 1, ONE, &[K::Field], K::Number,
        "Returns the estimated count of distinct values of the field.").stats().cat(AGG),
    def("estdc_error", "estdc_error(<value>)", 1, ONE, &[K::Field], K::Number,
        "Returns the theoretical error of the estimated count of distinct values.")
        .stats().cat(AGG),
    def("exactperc", "exactperc<X>(<value>)", 1, ONE, &[K::Field], K::Number,
        "Returns the X-th percentile of the field's values, computed exactly.")
        .stats().cat(AGG).runs(),
    def("max", "max(<value>)", 1, ONE, &[K::Field], K::Any,
        "Returns the maximum value of the field: numeric if all values are numbers, else lexicographic.")
        .stats().cat(AGG).runs(),
    def("mean", "mean(<value>)", 1, ONE, &[K::Field], K::Number,
        "Returns the arithmetic mean of the values of the field.").stats().cat(AGG).runs(),
    def("median", "median(<value>)", 1, ONE, &[K::Field], K::Number,
        "Returns the middle-most value of the field.").stats().cat(AGG).runs(),
    def("min", "min(<value>)", 1, ONE, &[K::Field], K::Any,
        "Returns the minimum value of the field: numeric if all values are numbers, else lexicographic.")
        .stats().cat(AGG).runs(),
    def("mode", "mode(<value>)", 1, ONE, &[K::Field], K::Any,
        "Returns the most frequent value of the field.").stats().cat(AGG),
    def("perc", "perc<X>(<value>)", 1, ONE, &[K::Field], K::Number,
        "Returns the X-th percentile of the field's values (0 to 100; p<X> is the short form).")
        .stats().cat(AGG).alias(&["p"]).runs(),
    def("range", "range(<value>)", 1, ONE, &[K::Field], K::Number,
        "Returns the difference between the maximum and minimum values of the field.")
        .stats().cat(AGG).runs(),
    def("stdev", "stdev(<value>)", 1, ONE, &[K::Field], K::Number,
        "Returns the sample standard deviation of the field.").stats().cat(AGG).runs(),
    def("stdevp", "stdevp(<value>)", 1, ONE, &[K::Field], K::Number,
        "Returns the population standard deviation of the field.").stats().cat(AGG).runs(),
    def("sum", "sum(<value>)", 1, ONE, &[K::Field], K::Number,
        "Returns the sum of the values of the field.").stats().cat(AGG).runs(),
    def("sumsq", "sumsq(<value>)", 1, ONE, &[K::Field], K::Number,
        "Returns the sum of the squares of the values of the field.").stats().cat(AGG).runs(),
    def("upperperc", "upperperc<X>(<value>)", 1, ONE, &[K::Field], K::Number,
        "Returns an approximate X-th percentile of the field's values, rounded up.")
        .stats().cat(AGG).runs(),
    def("var", "var(<value>)", 1, ONE, &[K::Field], K::Number,
        "Returns the sample variance of the field.").stats().cat(AGG).runs(),
    def("varp", "varp(<value>)", 1, ONE, &[K::Field], K::Number,
        "Returns the population variance of the field.").stats().cat(AGG).runs(),
    // ---- Event order functions ----
    def("first", "first(<value>)", 1, ONE, &[K::Field], K::Any,
        "Returns the first seen value of the field (the most recent, in search order).")
        .stats().cat(ORDER).runs(),
    def("last", "last(<value>)", 1, ONE, &[K::Field], K::Any,
        "Returns the last seen value of the field (the oldest, in search order).")
        .stats().cat(ORDER).runs(),
    // ---- Multivalue stats and chart functions ----
    def("list", "list(<value>)", 1, ONE, &[K::Field], K::Multivalue,
        "Returns the values of the field in event order, up to 100, duplicates kept.")
        .stats().cat(MVSTATS).runs(),
    def("values", "values(<value>)", 1, ONE, &[K::Field], K::Multivalue,
        "Returns the distinct values of the field in lexicographic order.")
        .stats().cat(MVSTATS).runs(),
    // ---- Time functions ----
    def("earliest", "earliest(<value>)", 1, ONE, &[K::Field], K::Any,
        "Returns the chronologically earliest value of the field.")
        .stats().cat(TIMEFN).runs(),
    def("earliest_time", "earliest_time(<value>)", 1, ONE, &[K::Field], K::Number,
        "Returns the UNIX time of the earliest occurrence of the field.").stats().cat(TIMEFN),
    def("latest", "latest(<value>)", 1, ONE, &[K::Field], K::Any,
        "Returns the chronologically latest value of the field.")
        .stats().cat(TIMEFN).runs(),
    def("latest_time", "latest_time(<value>)", 1, ONE, &[K::Field], K::Number,
        "Returns the UNIX time of the latest occurrence of the field.").stats().cat(TIMEFN),
    def("per_day", "per_day(<value>)", 1, ONE, &[K::Field], K::Number,
        "timechart only: the sum of the field's values per day.").stats().cat(TIMEFN),
    def("per_hour", "per_hour(<value>)", 1, ONE, &[K::Field], K::Number,
        "timechart only: the sum of the field's values per hour.").stats().cat(TIMEFN),
    def("per_minute", "per_minute(<value>)", 1, ONE, &[K::Field], K::Number,
        "timechart only: the sum of the field's values per minute.").stats().cat(TIMEFN),
    def("per_second", "per_second(<value>)", 1, ONE, &[K::Field], K::Number,
        "timechart only: the sum of the field's values per second.").stats().cat(TIMEFN),
    def("rate", "rate(<value>)", 1, ONE, &[K::Field], K::Number,
        "Returns the per-second rate of change of an accumulating counter field.")
        .stats().cat(TIMEFN),
    def("rate_avg", "rate_avg(<value>)", 1, ONE, &[K::Field], K::Number,
        "mstats only: the average of the per-time-series rates of a counter metric.")
        .stats().cat(TIMEFN),
    def("rate_sum", "rate_sum(<value>)", 1, ONE, &[K::Field], K::Number,
        "mstats only: the sum of the per-time-series rates of a counter metric.")
        .stats().cat(TIMEFN),
    // ---- Charting ----
    def("sparkline", "sparkline[(<aggregation>[, <span>])]", 0, TWO, &[K::Field, K::Text],
        K::Multivalue,
        "chart and stats: a small trend line of an aggregation (count by default) over time.")
        .stats().cat("Charting").runs(),
];

/// The eval function called `name` (case-insensitive; aliases such as `ceil` included).
pub fn eval_function(name: &str) -> Option<&'static FunctionDef> {
    let name = name.to_ascii_lowercase();
    FUNCTIONS
        .iter()
        .find(|d| d.class == Eval && d.is_named(&name))
}

/// The statistical function called `name` (case-insensitive): `c` and `dc` included, and
/// `perc95`, `p95`, `exactperc99.9` and `upperperc5` resolved to their percentile family.
pub fn stats_function(name: &str) -> Option<&'static FunctionDef> {
    let name = name.to_ascii_lowercase();
    let stats = || FUNCTIONS.iter().filter(|d| d.class == Stats);
    if let Some(d) = stats().find(|d| !d.is_family() && d.is_named(&name)) {
        return Some(d);
    }
    stats().filter(|d| d.is_family()).find(|d| {
        std::iter::once(d.name)
            .chain(d.aliases.iter().copied())
            .any(|prefix| {
                name.strip_prefix(prefix)
                    .filter(|x| !x.is_empty() && x.chars().all(|c| c.is_ascii_digit() || c == '.'))
                    .and_then(|x| x.parse::<f64>().ok())
                    .is_some_and(|x| (0.0..=100.0).contains(&x))
            })
    })
}

/// The function called `name` in the class.
pub fn function(name: &str, class: FunctionClass) -> Option<&'static FunctionDef> {
    match class {
        Eval => eval_function(name),
        Stats => stats_function(name),
    }
}

/// Whether `n` arguments suit the function; the error says what it takes, as in
/// "`if` takes 3 arguments, got 2".
pub fn check_arity(def: &FunctionDef, n: usize) -> Result<(), String> {
    check_arity_as(def, def.name, n)
}

fn check_arity_as(def: &FunctionDef, name: &str, n: usize) -> Result<(), String> {
    let (lo, hi) = (def.min_args, def.max_args);
    let in_range = n >= lo && hi.is_none_or(|h| n <= h);
    let repeat = def.repeat.clamp(1, def.args.len().max(1));
    let fixed = def.args.len().saturating_sub(repeat);
    let grouped = hi.is_none() && repeat > 1;
    if in_range && (!grouped || (n - fixed) % repeat == 0) {
        return Ok(());
    }
    let got = format!("got {n}");
    if grouped {
        let group: Vec<&str> = def.args[fixed..].iter().map(|k| k.noun()).collect();
        let lead = match fixed {
            0 => String::new(),
            1 => format!("a {} then ", def.args[0].noun()),
            f => format!("{f} arguments then "),
        };
        let what = if repeat == 2 { "pairs" } else { "groups" };
        return Err(format!(
            "`{name}` takes {lead}{what} of {}, {got} argument{}",
            group.join(" and "),
            if n == 1 { "" } else { "s" }
        ));
    }
    let (expected, last) = match hi {
        Some(h) if h == lo => (format!("{lo}"), lo),
        Some(h) => (format!("{lo} to {h}"), h),
        None => (format!("at least {lo}"), lo),
    };
    Err(format!(
        "`{name}` takes {expected} argument{}, {got}",
        if last == 1 { "" } else { "s" }
    ))
}

/// Up to three names of the class closest to `name` (did-you-mean), closest first.
pub fn suggest(name: &str, class: FunctionClass) -> Vec<&'static str> {
    let name = name.to_ascii_lowercase();
    // `prec95` is compared as `prec`, to find the `perc<X>` family.
    let bare = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    let mut scored: Vec<(f64, &'static str)> = FUNCTIONS
        .iter()
        .filter(|d| d.class == class)
        .flat_map(|d| {
            let probe = if d.is_family() { bare } else { name.as_str() };
            std::iter::once(d.name)
                .chain(d.aliases.iter().copied())
                .filter(|k| k.len() > 1)
                .map(move |k| (strsim::jaro_winkler(probe, k), k))
        })
        .filter(|(s, _)| *s > 0.8)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(3).map(|(_, k)| k).collect()
}

/// Check a call of `name` with `n` arguments against the table, before compiling it: the
/// function, or an error (without a position; the caller adds it) naming the function:
/// - unknown: "unsupported eval function `X`" / "unsupported aggregation `X`", with a
///   did-you-mean note (or a note that `X` belongs to the other class);
/// - known but not implemented: the same message, saying spelunk does not support it yet, with
///   its syntax and doc as a note;
/// - wrong arity: "`X` takes N arguments, got M", with the syntax as a note.
pub fn check_call(
    name: &str,
    class: FunctionClass,
    n: usize,
) -> Result<&'static FunctionDef, Diagnostic> {
    let what = match class {
        Eval => "eval function",
        Stats => "aggregation",
    };
    let Some(def) = function(name, class) else {
        let mut d = Diagnostic::new(format!("unsupported {what} `{name}`"));
        let close = suggest(name, class);
        if !close.is_empty() {
            let close: Vec<String> = close.iter().map(|k| format!("`{k}`")).collect();
            d = d.note(format!("did you mean: {}?", close.join(", ")));
        }
        let other = match class {
            Eval => {
                stats_function(name).map(|_| "a statistical (stats, chart, timechart) function")
            }
            Stats => eval_function(name).map(|_| "an eval function"),
        };
        if let Some(other) = other {
            d = d.note(format!(
                "`{name}` is {other}, not {}",
                match class {
                    Eval => "an eval function",
                    Stats => "an aggregation",
                }
            ));
        }
        return Err(d);
    };
    if !def.implemented {
        return Err(Diagnostic::new(format!(
            "unsupported {what} `{name}`: spelunk does not support it yet"
        ))
        .note(format!("{}: {}", def.syntax, def.doc)));
    }
    check_arity_as(def, name, n)
        .map_err(|m| Diagnostic::new(m).note(format!("syntax: {}", def.syntax)))?;
    Ok(def)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_lower_case_and_documented() {
        let mut seen = std::collections::HashSet::new();
        for d in FUNCTIONS {
            for n in std::iter::once(d.name).chain(d.aliases.iter().copied()) {
                assert_eq!(n, n.to_ascii_lowercase(), "{n}");
                assert!(seen.insert((d.class, n)), "duplicate {:?} `{n}`", d.class);
            }
            assert!(!d.doc.trim().is_empty(), "{} has no doc", d.name);
            assert!(!d.category.is_empty(), "{} has no category", d.name);
            assert!(d.syntax.starts_with(d.name), "{}: {}", d.name, d.syntax);
            assert!(d.max_args.is_none_or(|m| m >= d.min_args), "{}", d.name);
            assert!(
                d.max_args.is_none_or(|m| d.args.len() >= m),
                "{}: every argument has a kind",
                d.name
            );
            assert!(
                d.repeat >= 1 && d.repeat <= d.args.len().max(1),
                "{}",
                d.name
            );
        }
    }

    #[test]
    fn lookups_are_case_insensitive_and_resolve_aliases_and_percentiles() {
        assert_eq!(eval_function("LOWER").map(|d| d.name), Some("lower"));
        assert_eq!(eval_function("ceil").map(|d| d.name), Some("ceiling"));
        assert!(eval_function("dc").is_none());
        assert_eq!(stats_function("DC").map(|d| d.name), Some("distinct_count"));
        assert_eq!(stats_function("c").map(|d| d.name), Some("count"));
        for (n, fam) in [
            ("perc95", "perc"),
            ("p95", "perc"),
            ("P5", "perc"),
            ("perc99.9", "perc"),
            ("exactperc99", "exactperc"),
            ("upperperc5", "upperperc"),
        ] {
            assert_eq!(stats_function(n).map(|d| d.name), Some(fam), "{n}");
        }
        for n in ["perc", "p", "perc101", "pfoo", "percx", "exactperc", "per_"] {
            assert!(stats_function(n).is_none(), "{n}");
        }
        assert_eq!(stats_function("per_day").map(|d| d.name), Some("per_day"));
    }

    #[test]
    fn arity_messages_say_what_the_function_takes() {
        let f = |n: &str| eval_function(n).unwrap();
        assert_eq!(
            check_arity(f("if"), 2).unwrap_err(),
            "`if` takes 3 arguments, got 2"
        );
        assert_eq!(
            check_arity(f("lower"), 2).unwrap_err(),
            "`lower` takes 1 argument, got 2"
        );
        assert_eq!(
            check_arity(f("mvindex"), 1).unwrap_err(),
            "`mvindex` takes 2 to 3 arguments, got 1"
        );
        assert_eq!(
            check_arity(f("coalesce"), 0).unwrap_err(),
            "`coalesce` takes at least 1 argument, got 0"
        );
        assert_eq!(
            check_arity(f("case"), 3).unwrap_err(),
            "`case` takes pairs of condition and value, got 3 arguments"
        );
        assert!(check_arity(f("case"), 4).is_ok());
        assert!(check_arity(f("case"), 0).is_err());
        assert!(check_arity(f("json_set"), 3).is_ok());
        assert!(check_arity(f("json_set"), 5).is_ok());
        assert!(check_arity(f("json_set"), 4)
            .unwrap_err()
            .contains("a JSON then pairs"));
        assert!(check_arity(f("json_object"), 0).is_ok());
        assert!(check_arity(f("now"), 0).is_ok());
        assert!(check_arity(f("printf"), 5).is_ok());
        let s = |n: &str| stats_function(n).unwrap();
        assert!(check_arity(s("count"), 0).is_ok());
        assert_eq!(
            check_arity(s("sum"), 0).unwrap_err(),
            "`sum` takes 1 argument, got 0"
        );
    }

    #[test]
    fn check_call_names_the_function() {
        let e = check_call("lowr", Eval, 1).unwrap_err();
        assert_eq!(e.message, "unsupported eval function `lowr`");
        assert!(
            e.notes.iter().any(|n| n.contains("`lower`")),
            "{:?}",
            e.notes
        );
        let e = check_call("searchmatch", Eval, 1).unwrap_err();
        assert!(e
            .message
            .starts_with("unsupported eval function `searchmatch`"));
        assert!(e.message.contains("not support it yet"), "{}", e.message);
        let e = check_call("dc", Eval, 1).unwrap_err();
        assert!(
            e.notes.iter().any(|n| n.contains("statistical")),
            "{:?}",
            e.notes
        );
        let e = check_call("prec95", Stats, 1).unwrap_err();
        assert_eq!(e.message, "unsupported aggregation `prec95`");
        assert!(
            e.notes.iter().any(|n| n.contains("`perc`")),
            "{:?}",
            e.notes
        );
        let e = check_call("p95", Stats, 0).unwrap_err();
        assert_eq!(e.message, "`p95` takes 1 argument, got 0");
        let e = check_call("mode", Stats, 1).unwrap_err();
        assert!(e.message.contains("not support it yet"), "{}", e.message);
        assert_eq!(check_call("ValUes", Stats, 1).map(|d| d.name), Ok("values"));
    }

    #[test]
    fn suggestions_come_from_the_class() {
        assert_eq!(suggest("uper", Eval).first(), Some(&"upper"));
        assert!(suggest("valeus", Stats).contains(&"values"));
        assert!(!suggest("valeus", Eval).contains(&"values"));
        assert!(suggest("zzzzzz", Eval).is_empty());
    }

    #[test]
    fn variadic_argument_kinds_repeat() {
        let case = eval_function("case").unwrap();
        assert_eq!(case.arg_kind(0), Some(K::Predicate));
        assert_eq!(case.arg_kind(3), Some(K::Any));
        assert_eq!(case.arg_kind(4), Some(K::Predicate));
        let set = eval_function("json_set").unwrap();
        assert_eq!(set.arg_kind(3), Some(K::Text));
        assert_eq!(set.arg_kind(4), Some(K::Any));
        assert_eq!(eval_function("lower").unwrap().arg_kind(1), None);
    }

    /// An SPL argument of the kind, for `| eval out=f(...)` over a frame with field `x`.
    fn sample(k: ArgKind) -> &'static str {
        match k {
            K::Any | K::Regex => "\"a\"",
            K::Number => "2",
            K::Text => "\"abc\"",
            K::Bool => "true()",
            K::Null => "null()",
            K::Field => "x",
            K::Predicate => "x=\"a\"",
            K::Expression => "x.\"!\"",
            K::Multivalue => "split(\"a,b\", \",\")",
            K::TimeFormat => "\"%Y-%m-%d\"",
            K::TimeModifier => "\"-1d@d\"",
            K::Json => "\"{\\\"a\\\": 1}\"",
        }
    }

    /// Argument counts worth trying: the minimum, the maximum (or one more group when variadic).
    fn counts(d: &FunctionDef) -> Vec<usize> {
        let mut v = vec![d.min_args, d.max_args.unwrap_or(d.min_args + d.repeat)];
        v.dedup();
        v
    }

    fn eval_call(d: &FunctionDef, n: usize) -> String {
        let args: Vec<&str> = (0..n).map(|i| sample(d.arg_kind(i).unwrap())).collect();
        format!("| eval out={}({})", d.name, args.join(", "))
    }

    fn frame() -> polars::prelude::DataFrame {
        polars::prelude::df!("x" => ["a"], "_time" => [1.0f64], "n" => [3i64]).unwrap()
    }

    #[test]
    fn every_implemented_eval_function_compiles_and_runs() {
        use crate::testkit::try_run_on;
        for d in FUNCTIONS.iter().filter(|d| d.class == Eval) {
            for n in counts(d) {
                let spl = eval_call(d, n);
                let got = try_run_on(frame(), &spl);
                if d.implemented {
                    let out = got.unwrap_or_else(|e| panic!("{spl}: {e}"));
                    assert!(out.column("out").is_ok(), "{spl}");
                } else {
                    let e = got.err().unwrap_or_else(|| panic!("{spl} ran"));
                    assert!(e.message.contains("does not support it yet"), "{spl}: {e}");
                }
            }
            if d.implemented {
                for a in d.aliases {
                    let spl = eval_call(d, d.min_args).replacen(d.name, a, 1);
                    try_run_on(frame(), &spl).unwrap_or_else(|e| panic!("{spl}: {e}"));
                }
            }
        }
    }

    #[test]
    fn every_implemented_aggregate_runs_under_stats() {
        use crate::testkit::try_run_on;
        for d in FUNCTIONS.iter().filter(|d| d.class == Stats) {
            let name = if d.is_family() {
                format!("{}95", d.name)
            } else {
                d.name.to_string()
            };
            let spl = match d.min_args {
                0 => format!("| stats {name} as out"),
                _ => format!("| stats {name}(n) as out"),
            };
            let got = try_run_on(frame(), &spl);
            if d.implemented {
                let out = got.unwrap_or_else(|e| panic!("{spl}: {e}"));
                assert!(out.column("out").is_ok(), "{spl}");
            } else {
                let e = got.err().unwrap_or_else(|| panic!("{spl} ran"));
                assert!(e.message.contains("does not support it yet"), "{spl}: {e}");
            }
        }
        try_run_on(frame(), "| stats dc(n) as a c as b p50(n) as m").unwrap();
    }

    #[test]
    fn the_engine_reports_unknown_names_and_wrong_arity_from_the_table() {
        use crate::testkit::try_run_on;
        let e = try_run_on(frame(), "| eval out=lowr(x)").unwrap_err();
        assert_eq!(e.message, "unsupported eval function `lowr`");
        assert!(
            e.notes.iter().any(|n| n.contains("`lower`")),
            "{:?}",
            e.notes
        );
        let e = try_run_on(frame(), "| eval out=substr(x)").unwrap_err();
        assert_eq!(e.message, "`substr` takes 2 to 3 arguments, got 1");
        let e = try_run_on(frame(), "| stats valeus(x) as v").unwrap_err();
        assert_eq!(e.message, "unsupported aggregation `valeus`");
        assert!(
            e.notes.iter().any(|n| n.contains("`values`")),
            "{:?}",
            e.notes
        );
        let e = try_run_on(frame(), "| stats sum as s").unwrap_err();
        assert_eq!(e.message, "`sum` takes 1 argument, got 0");
        let e = try_run_on(frame(), "| eventstats mode(x) as m").unwrap_err();
        assert!(e.message.contains("`mode`"), "{e}");
    }
}
