//! The two SQL dialects: what differs between DuckDB and Spark SQL (4.x) in the SQL we write.

/// A target SQL engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Dialect {
    /// DuckDB (1.x/2.x): `read_parquet`, `list_*` functions, `lambda x: ...`.
    Duckdb,
    /// Spark SQL 4.x: ``parquet.`path` ``, array functions, `x -> ...` lambdas.
    Spark,
}

impl Dialect {
    /// A column's identifier inside the query: both engines resolve identifiers
    /// case-insensitively while Splunk's field names are case-sensitive (`User` and `user` are
    /// two fields), so each upper-case letter is written as `^` and its lower case.
    pub fn ident(self, name: &str) -> String {
        let mut enc = String::with_capacity(name.len() + 4);
        for ch in name.chars() {
            if ch == '^' {
                enc.push_str("^^");
            } else if ch.is_uppercase() {
                enc.push('^');
                enc.extend(ch.to_lowercase());
            } else {
                enc.push(ch);
            }
        }
        self.raw_ident(&enc)
    }

    /// A quoted identifier as written.
    pub fn raw_ident(self, name: &str) -> String {
        match self {
            Dialect::Duckdb => format!("\"{}\"", name.replace('"', "\"\"")),
            Dialect::Spark => format!("`{}`", name.replace('`', "``")),
        }
    }

    /// A string literal (DuckDB strings have no escapes; Spark's do).
    pub fn str_lit(self, s: &str) -> String {
        match self {
            Dialect::Duckdb => format!("'{}'", s.replace('\'', "''")),
            Dialect::Spark => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
        }
    }

    /// A number truncated toward zero as BIGINT (null when it does not fit): DuckDB's cast
    /// rounds, Spark's truncates.
    pub fn trunc_int(self, x: &str) -> String {
        match self {
            Dialect::Duckdb => format!("TRY_CAST(trunc(CAST({x} AS DOUBLE)) AS BIGINT)"),
            Dialect::Spark => format!("TRY_CAST(CAST({x} AS DOUBLE) AS BIGINT)"),
        }
    }

    pub fn text_type(self) -> &'static str {
        match self {
            Dialect::Duckdb => "VARCHAR",
            Dialect::Spark => "STRING",
        }
    }

    pub fn list_type(self) -> &'static str {
        match self {
            Dialect::Duckdb => "VARCHAR[]",
            Dialect::Spark => "ARRAY<STRING>",
        }
    }

    /// A one-argument lambda.
    pub fn lambda(self, var: &str, body: &str) -> String {
        match self {
            Dialect::Duckdb => format!("lambda {var}: {body}"),
            Dialect::Spark => format!("{var} -> {body}"),
        }
    }

    /// Whether any element of a list satisfies `body` (over `var`); null list: false.
    pub fn list_any(self, list: &str, var: &str, body: &str) -> String {
        match self {
            Dialect::Duckdb => format!(
                "COALESCE(len(list_filter({list}, {})) > 0, FALSE)",
                self.lambda(var, body)
            ),
            Dialect::Spark => format!(
                "COALESCE(exists({list}, {}), FALSE)",
                self.lambda(var, &format!("COALESCE({body}, FALSE)"))
            ),
        }
    }

    /// Number of elements of a list.
    pub fn list_len(self, list: &str) -> String {
        match self {
            Dialect::Duckdb => format!("len({list})"),
            // size(NULL) is -1 unless ANSI mode is on (spark.sql.legacy.sizeOfNull).
            Dialect::Spark => format!("(CASE WHEN {list} IS NULL THEN NULL ELSE size({list}) END)"),
        }
    }

    /// A one-element list of a value (null stays null).
    pub fn one_list(self, v: &str) -> String {
        match self {
            Dialect::Duckdb => format!("CASE WHEN {v} IS NULL THEN NULL ELSE [{v}] END"),
            Dialect::Spark => format!("CASE WHEN {v} IS NULL THEN NULL ELSE array({v}) END"),
        }
    }

    /// The first element of a list (null when empty).
    pub fn first(self, list: &str) -> String {
        match self {
            Dialect::Duckdb => format!("{list}[1]"),
            Dialect::Spark => format!("try_element_at({list}, 1)"),
        }
    }

    /// A (Rust-syntax) pattern in the engine's syntax: Java has no `(?P<name>`.
    pub fn regex(self, pattern: &str) -> String {
        match self {
            // RE2 names groups only as `(?P<name>`.
            Dialect::Duckdb => {
                let mut out = String::with_capacity(pattern.len() + 4);
                let mut rest = pattern;
                while let Some(i) = rest.find("(?<") {
                    out.push_str(&rest[..i]);
                    let after = &rest[i + 3..];
                    if after.starts_with(|c: char| c.is_alphabetic() || c == '_') {
                        out.push_str("(?P<");
                    } else {
                        out.push_str("(?<");
                    }
                    rest = after;
                }
                out.push_str(rest);
                out
            }
            // Java names groups `(?<name>` with letters and digits only (no `_`): the SQL
            // reads groups by number, so the names are dropped (the numbering is unchanged).
            Dialect::Spark => unnamed_groups(pattern),
        }
    }

    /// Regular-expression search (unanchored) of `pattern` (a literal) in `s`.
    pub fn regex_find(self, s: &str, pattern: &str) -> String {
        let pattern = &self.regex(pattern);
        match self {
            Dialect::Duckdb => format!("regexp_matches({s}, {})", self.str_lit(pattern)),
            Dialect::Spark => format!("({s} RLIKE {})", self.str_lit(pattern)),
        }
    }

    /// A SQL LIKE with `\` as the escape character.
    pub fn like(self, s: &str, pattern: &str) -> String {
        match self {
            Dialect::Duckdb => format!("({s} LIKE {} ESCAPE '\\')", self.str_lit(pattern)),
            // Spark's default escape character is already `\`.
            Dialect::Spark => format!("({s} LIKE {})", self.str_lit(pattern)),
        }
    }

    /// Distinct values of a list, sorted (nulls dropped).
    pub fn sorted_distinct(self, list: &str) -> String {
        match self {
            Dialect::Duckdb => format!("list_sort(list_distinct({list}))"),
            Dialect::Spark => format!(
                "array_sort(array_distinct(filter({list}, {})))",
                self.lambda("v", "v IS NOT NULL")
            ),
        }
    }

    /// Flatten a list of lists.
    pub fn flatten(self, list: &str) -> String {
        format!("flatten({list})")
    }

    /// A list aggregate of the non-null values of `x`, in `order`.
    pub fn collect(self, x: &str, order: &str) -> String {
        match self {
            Dialect::Duckdb => {
                format!("list({x} ORDER BY {order}) FILTER (WHERE {x} IS NOT NULL)")
            }
            Dialect::Spark => {
                // collect_list drops nulls; its order follows the rows it reads, so sort by the
                // order key explicitly.
                format!(
                    "transform(array_sort(collect_list(named_struct('o', {order}, 'v', {x}))), {})",
                    self.lambda("s", "s.v")
                )
            }
        }
    }

    /// Epoch seconds (DOUBLE) formatted with a Java-style / strftime format, in UTC.
    pub fn strftime(self, secs: &str, strftime_fmt: &str) -> Option<String> {
        match self {
            Dialect::Duckdb => Some(format!(
                "strftime(make_timestamp(CAST(floor({secs} * 1000000) AS BIGINT)), {})",
                self.str_lit(strftime_fmt)
            )),
            Dialect::Spark => {
                let java = java_time_format(strftime_fmt)?;
                Some(format!(
                    "date_format(timestamp_micros(CAST(floor({secs} * 1000000) AS BIGINT)), {})",
                    self.str_lit(&java)
                ))
            }
        }
    }

    /// The SQL of a table of parquet files with a row index column named `idx`.
    pub fn parquet(self, path: &str, idx: &str) -> (String, String) {
        match self {
            Dialect::Duckdb => (
                format!(
                    "read_parquet({}, file_row_number = true)",
                    self.str_lit(path)
                ),
                format!("file_row_number AS {idx}"),
            ),
            Dialect::Spark => (
                format!("parquet.`{}`", path.replace('`', "``")),
                format!("_metadata.row_index AS {idx}"),
            ),
        }
    }
}

/// A strftime format as a Java DateTimeFormatter pattern (only the common specifiers).
fn java_time_format(f: &str) -> Option<String> {
    let mut out = String::new();
    let mut lit = String::new();
    let flush = |out: &mut String, lit: &mut String| {
        if !lit.is_empty() {
            out.push('\'');
            out.push_str(&lit.replace('\'', "''"));
            out.push('\'');
            lit.clear();
        }
    };
    let mut chars = f.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            if c.is_ascii_alphabetic() || c == '\'' {
                lit.push(c);
            } else {
                flush(&mut out, &mut lit);
                out.push(c);
            }
            continue;
        }
        flush(&mut out, &mut lit);
        let p = match chars.next()? {
            'Y' => "yyyy",
            'm' => "MM",
            'd' => "dd",
            'H' => "HH",
            'M' => "mm",
            'S' => "ss",
            'y' => "yy",
            'b' => "MMM",
            'p' => "a",
            'I' => "hh",
            'A' => "EEEE",
            'a' => "EEE",
            'B' => "MMMM",
            '%' => "'%'",
            _ => return None,
        };
        out.push_str(p);
    }
    flush(&mut out, &mut lit);
    Some(out)
}

/// `pattern` with every named group (`(?P<name>` or `(?<name>`) made a plain group `(`, escaped
/// characters and look-behinds (`(?<=`, `(?<!`) left alone.
fn unnamed_groups(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(c) = rest.chars().next() {
        if c == '\\' {
            let n = rest[1..].chars().next().map_or(0, |e| e.len_utf8());
            out.push_str(&rest[..1 + n]);
            rest = &rest[1 + n..];
            continue;
        }
        let head = if rest.starts_with("(?P<") {
            4
        } else if rest.starts_with("(?<") && !rest[3..].starts_with(['=', '!']) {
            3
        } else {
            0
        };
        if head > 0 {
            if let Some(end) = rest[head..].find('>') {
                out.push('(');
                rest = &rest[head + end + 1..];
                continue;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod unnamed_group_tests {
    use super::*;

    #[test]
    fn spark_patterns_drop_group_names() {
        let d = Dialect::Spark;
        assert_eq!(
            d.regex(r"(?P<src_user>[^\\]+)\\(?<x_1>\d+)"),
            r"([^\\]+)\\(\d+)"
        );
        assert_eq!(d.regex(r"(?<=a)b(?<!c)"), r"(?<=a)b(?<!c)");
        assert_eq!(d.regex(r"\(?<a>"), r"\(?<a>");
    }
}
