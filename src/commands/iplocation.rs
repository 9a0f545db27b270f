//! `iplocation`: add location fields for an IP address field (`prefix=`).

use super::parts::Parts;
use crate::syntax::ast::*;
use crate::syntax::build::*;
use crate::syntax::Rule;
use pest::iterators::Pair;
use serde::Serialize;

/// Add location fields for an IP address field (`prefix=`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Iplocation {
    pub options: Vec<Opt>,
    pub field: String,
}

impl Iplocation {
    pub(crate) fn build(p: &Pair<'_, Rule>) -> BuildResult<Iplocation> {
        let parts = Parts::of(p)?;
        Ok(Iplocation {
            field: parts.first_field(p)?,
            options: parts.options,
        })
    }
}

use crate::diagnostic::Diagnostic;
use crate::plan::operator::At;
use crate::plan::Columns;
use crate::runtime::Context;
use polars::prelude::{Column, DataType, IntoLazy, LazyFrame};

/// The fields `iplocation` adds, without and with `allfields=true` (Search Reference,
/// iplocation: "City, Country, Region, lat, lon"; allfields adds Continent, MetroCode and
/// Timezone).
const FIELDS: &[&str] = &["City", "Country", "Region", "lat", "lon"];
const ALL_FIELDS: &[&str] = &[
    "City",
    "Continent",
    "Country",
    "MetroCode",
    "Region",
    "Timezone",
    "lat",
    "lon",
];

impl Iplocation {
    fn all(&self) -> bool {
        self.options
            .get_opt("allfields")
            .is_some_and(crate::commands::is_true)
    }

    /// The output field names, with `prefix=`.
    fn outputs(&self) -> Vec<String> {
        let prefix = self.options.get_opt("prefix").unwrap_or("");
        let names = if self.all() { ALL_FIELDS } else { FIELDS };
        names.iter().map(|n| format!("{prefix}{n}")).collect()
    }
}

/// Run `iplocation`: look the first value of the IP address field of each result up in the
/// GeoIP database and set City, Country, Region, lat and lon (with `allfields=true` also
/// Continent, MetroCode, Timezone), named with `prefix=`, names in `lang=` (default `en`).
/// An address the database does not know (private, reserved, unlisted), a value that is not an
/// address and a missing field give empty (null) location fields, as Splunk adds no location
/// for internal addresses; fields of the same names are replaced.
fn execute(lf: LazyFrame, x: &Iplocation, c: &At, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
    let geo = ctx.geoip(c.span)?;
    let lang = x.options.get_opt("lang").unwrap_or("en");
    let df = lf
        .collect()
        .map_err(|e| ctx.polars_error("iplocation", c.span, e))?;
    let n = df.height();
    let input = df.column(&x.field).ok();
    let found: Vec<Option<crate::lookups::geoip::Location>> = (0..n)
        .map(|i| {
            let v = input.and_then(|col| crate::frame::values_at(col, i).into_iter().next());
            v.and_then(|v| geo.locate(&v, lang))
        })
        .collect();
    let text =
        |f: &dyn Fn(&crate::lookups::geoip::Location) -> Option<String>| -> Vec<Option<String>> {
            found.iter().map(|l| l.as_ref().and_then(f)).collect()
        };
    let number = |f: &dyn Fn(&crate::lookups::geoip::Location) -> Option<f64>| -> Vec<Option<f64>> {
        found.iter().map(|l| l.as_ref().and_then(f)).collect()
    };
    let names = if x.all() { ALL_FIELDS } else { FIELDS };
    let mut out = df;
    for (name, output) in names.iter().zip(x.outputs()) {
        let column = match *name {
            "City" => Column::new(output.as_str().into(), text(&|l| l.city.clone())),
            "Country" => Column::new(output.as_str().into(), text(&|l| l.country.clone())),
            "Region" => Column::new(output.as_str().into(), text(&|l| l.region.clone())),
            "Continent" => Column::new(output.as_str().into(), text(&|l| l.continent.clone())),
            "Timezone" => Column::new(output.as_str().into(), text(&|l| l.timezone.clone())),
            "MetroCode" => Column::new(
                output.as_str().into(),
                number(&|l| l.metro_code.map(f64::from)),
            ),
            "lat" => Column::new(output.as_str().into(), number(&|l| l.lat)),
            _ => Column::new(output.as_str().into(), number(&|l| l.lon)),
        };
        let column = if column.dtype() == &DataType::Null {
            column.cast(&DataType::String).unwrap_or(column)
        } else {
            column
        };
        out.with_column(column)
            .map_err(|e| ctx.polars_error("iplocation", c.span, e))?;
    }
    Ok(out.lazy())
}

impl crate::commands::SplCommand for Iplocation {
    const DOC: &'static str = "Add location fields (City, Country, Region, lat, lon; `allfields=true` adds Continent, MetroCode, Timezone) for an IP address field, from the GeoIP database given with --geoip (`prefix=`, `lang=`).";
    const OPTIONS: Option<&'static [&'static str]> = Some(&["prefix", "allfields", "lang"]);
    const EXAMPLES: &'static [crate::commands::Example] = &[
        crate::commands::Example {
            description: "location fields of a public address; a private one gets none (with the tests' sample database, `lookups::geoip::writer::sample_city_database`)",
            search: "| iplocation src | table src City Region Country lat lon",
            input: "src\n81.2.69.160\n10.0.0.1",
            output: "src,City,Region,Country,lat,lon\n81.2.69.160,London,England,United Kingdom,51.5142,-0.0931\n10.0.0.1,,,,,\n",
        },
        crate::commands::Example {
            description: "prefix= names the fields; allfields=true adds Continent, MetroCode and Timezone",
            search: "| iplocation prefix=dest_ allfields=true ip | fields - ip",
            input: "ip\n52.1.2.3",
            output: "dest_City,dest_Continent,dest_Country,dest_MetroCode,dest_Region,dest_Timezone,dest_lat,dest_lon\nAshburn,North America,United States,511,Virginia,America/Chicago,39.0469,-77.4903\n",
        },
    ];

    fn options(&self) -> &[Opt] {
        &self.options
    }

    fn lower(
        &self,
        c: &Command,
        input: crate::plan::Node,
        cx: &mut crate::commands::Lower,
    ) -> Result<crate::plan::Node, Diagnostic> {
        Ok(cx.opaque(self.clone(), c, input))
    }
}

impl crate::plan::operator::Operator for Iplocation {
    fn describe(&self) -> String {
        crate::commands::describe(self)
    }

    fn columns(&self, input: &Columns) -> Columns {
        let add = |v: &[String]| {
            let mut v = v.to_vec();
            for o in self.outputs() {
                if !v.contains(&o) {
                    v.push(o);
                }
            }
            v
        };
        match input {
            Columns::Known(v) => Columns::Known(add(v)),
            Columns::Open(v) => Columns::Open(add(v)),
            Columns::Unknown => Columns::Unknown,
        }
    }

    fn run(&self, input: LazyFrame, at: &At, ctx: &Context) -> Result<LazyFrame, Diagnostic> {
        execute(input, self, at, ctx)
    }
}

#[cfg(test)]
mod exec_tests {
    use crate::lookups::geoip::{writer, GeoIp};
    use crate::lookups::LookupLibrary;
    use polars::prelude::*;

    fn lib() -> LookupLibrary {
        let mut lib = LookupLibrary::builtin();
        let db = GeoIp::from_bytes(
            writer::sample_city_database(),
            std::path::Path::new("sample.mmdb"),
        )
        .unwrap();
        lib.set_geoip(db);
        lib
    }

    fn run(df: DataFrame, spl: &str) -> DataFrame {
        crate::testkit::try_run_with(df, spl, lib()).unwrap_or_else(|e| panic!("{e}"))
    }

    fn text(df: &DataFrame, name: &str) -> Vec<Option<String>> {
        let c = df.column(name).unwrap_or_else(|_| panic!("no {name}"));
        (0..df.height())
            .map(|i| crate::frame::values_at(c, i).first().cloned())
            .collect()
    }

    fn s(v: &str) -> Option<String> {
        Some(v.to_string())
    }

    #[test]
    fn adds_city_country_region_lat_lon() {
        let df = df!("src" => [Some("81.2.69.160"), Some("10.0.0.1"), None, Some("nope"), Some("8.8.8.8")]).unwrap();
        let out = run(df, "| iplocation src");
        assert_eq!(
            text(&out, "City"),
            vec![s("London"), None, None, None, None]
        );
        assert_eq!(text(&out, "Region")[0], s("England"));
        assert_eq!(
            text(&out, "Country"),
            vec![s("United Kingdom"), None, None, None, s("United States")]
        );
        assert_eq!(
            out.column("lat").unwrap().f64().unwrap().get(0),
            Some(51.5142)
        );
        assert_eq!(
            out.column("lon").unwrap().f64().unwrap().get(4),
            Some(-97.822)
        );
        // A private address gets no location (empty fields), as in Splunk.
        assert_eq!(out.column("lat").unwrap().f64().unwrap().get(1), None);
        // Only the five default fields.
        assert!(out.column("Continent").is_err() && out.column("Timezone").is_err());
    }

    #[test]
    fn prefix_allfields_and_lang() {
        let df = df!("ip" => ["81.2.69.160", "52.1.2.3"]).unwrap();
        let out = run(df.clone(), "| iplocation prefix=src_ allfields=true ip");
        assert_eq!(text(&out, "src_City"), vec![s("London"), s("Ashburn")]);
        assert_eq!(
            text(&out, "src_Continent"),
            vec![s("Europe"), s("North America")]
        );
        assert_eq!(
            text(&out, "src_Timezone"),
            vec![s("Europe/London"), s("America/Chicago")]
        );
        assert_eq!(text(&out, "src_MetroCode"), vec![None, s("511")]);
        assert!(out.column("City").is_err());
        let out = run(df, "| iplocation lang=de ip");
        assert_eq!(text(&out, "Country")[0], s("Vereinigtes Königreich"));
        // No German name in the database for Ashburn: empty, not English.
        assert_eq!(text(&out, "City")[1], None);
    }

    #[test]
    fn multivalue_and_missing_fields() {
        // The first value of a multivalue field (`sourceIPs{}`), and a field no result has.
        let out = run(
            DataFrame::empty(),
            "| makeresults | eval ips=split(\"1.1.1.1,81.2.69.160\", \",\") | iplocation ips | iplocation prefix=x_ nosuchfield",
        );
        assert_eq!(text(&out, "City"), vec![s("Sydney")]);
        assert_eq!(text(&out, "x_City"), vec![None]);
    }

    #[test]
    fn without_a_database_the_error_says_how_to_give_one() {
        let spl = "| makeresults | eval ip=\"81.2.69.160\" | iplocation ip";
        let e = crate::testkit::try_run_with(DataFrame::empty(), spl, LookupLibrary::default())
            .unwrap_err();
        assert!(e.message.contains("--geoip FILE.mmdb"), "{e}");
        assert!(e.message.contains("SPELUNK_GEOIP"), "{e}");
        assert_eq!(
            e.span.map(|sp| &spl[sp.start..sp.end]),
            Some("iplocation ip")
        );
    }

    #[test]
    fn unknown_options_are_errors() {
        let e = crate::testkit::try_run_with(DataFrame::empty(), "| iplocation foo=1 ip", lib())
            .unwrap_err();
        assert!(e.message.contains("foo"), "{e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::parse_command;
    use crate::commands::CommandKind;

    #[test]
    fn parses_example() {
        let c = parse_command("| iplocation prefix=auth_ dest");
        let CommandKind::Iplocation(x) = c.kind else {
            panic!("not iplocation: {c:?}")
        };
        assert_eq!(x.field, "dest");
        assert_eq!(x.options.get_opt("prefix"), Some("auth_"));
    }
}
