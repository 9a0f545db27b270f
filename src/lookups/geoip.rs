//! The GeoIP database `iplocation` reads: a MaxMind-format (`.mmdb`) City database the user
//! gives (`--geoip FILE.mmdb`, `SPELUNK_GEOIP`, or `geoip:` in a config file; see
//! `src/cli/config.rs`), read with MaxMind's `maxminddb` crate. Splunk ships GeoLite2-City;
//! spelunk ships none, so that no licensed data is redistributed.
//!
//! [`writer`] builds small databases of the same format (tests, fixtures, a site's own networks).

use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

/// An opened GeoIP database.
pub struct GeoIp {
    path: PathBuf,
    reader: maxminddb::Reader<Vec<u8>>,
}

impl std::fmt::Debug for GeoIp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GeoIp({})", self.path.display())
    }
}

/// What a City database knows of one address, names in one language (all optional: a
/// database may know the country of an address but not its city).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Location {
    pub city: Option<String>,
    pub country: Option<String>,
    /// The first (largest) subdivision: a state, province or region.
    pub region: Option<String>,
    pub continent: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub metro_code: Option<u16>,
    pub timezone: Option<String>,
}

/// The parts of a GeoIP2/GeoLite2 City record `iplocation` uses (other keys are ignored).
#[derive(Deserialize, Default)]
struct Record {
    #[serde(default)]
    city: Named,
    #[serde(default)]
    country: Named,
    #[serde(default)]
    continent: Named,
    #[serde(default)]
    subdivisions: Vec<Named>,
    #[serde(default)]
    location: Loc,
}

#[derive(Deserialize, Default)]
struct Named {
    #[serde(default)]
    names: BTreeMap<String, String>,
}

#[derive(Deserialize, Default)]
struct Loc {
    latitude: Option<f64>,
    longitude: Option<f64>,
    metro_code: Option<u16>,
    time_zone: Option<String>,
}

impl GeoIp {
    /// Open a database file; the error says what is wrong with it.
    pub fn open(path: &Path) -> Result<GeoIp, String> {
        let bytes = std::fs::read(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                format!("GeoIP database {}: the file does not exist", path.display())
            }
            _ => format!("GeoIP database {}: {e}", path.display()),
        })?;
        GeoIp::from_bytes(bytes, path)
    }

    /// A database from its bytes (`path` names it in messages).
    pub fn from_bytes(bytes: Vec<u8>, path: &Path) -> Result<GeoIp, String> {
        let reader = maxminddb::Reader::from_source(bytes).map_err(|e| {
            format!(
                "GeoIP database {}: not a MaxMind DB (.mmdb) file: {e}",
                path.display()
            )
        })?;
        Ok(GeoIp {
            path: path.to_path_buf(),
            reader,
        })
    }

    /// The file the database was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The database's type, as its metadata says (`GeoLite2-City`, ...).
    pub fn database_type(&self) -> &str {
        &self.reader.metadata().database_type
    }

    /// Look up an address (a plain address, or a network in CIDR notation: its first address).
    /// `None` for a value that is not an address, and for an address the database does not
    /// know (private, reserved or unlisted ranges). Names are in `lang` (`en`, `de`, `zh-CN`,
    /// ...); a name the database has not in that language is missing.
    pub fn locate(&self, value: &str, lang: &str) -> Option<Location> {
        let text = value.trim();
        let addr = text.split('/').next().unwrap_or(text);
        let addr = addr.trim_start_matches('[').trim_end_matches(']');
        let ip: IpAddr = addr.parse().ok()?;
        let found = self.reader.lookup(ip).ok()?;
        let rec: Record = found.decode().ok()??;
        let name = |n: &Named| n.names.get(lang).filter(|s| !s.is_empty()).cloned();
        let loc = Location {
            city: name(&rec.city),
            country: name(&rec.country),
            region: rec.subdivisions.first().and_then(name),
            continent: name(&rec.continent),
            lat: rec.location.latitude,
            lon: rec.location.longitude,
            metro_code: rec.location.metro_code,
            timezone: rec.location.time_zone.filter(|s| !s.is_empty()),
        };
        Some(loc)
    }
}

pub mod writer {
    //! A writer of small MaxMind DB files (format 2.0, 24-bit records, an IPv6 tree with IPv4
    //! networks under `::/96`), following the MaxMind DB File Format Specification. Enough for
    //! tests and for a database of one's own networks; MaxMind's own databases are bigger but
    //! of the same format.

    use std::collections::BTreeMap;

    /// A value of the data section.
    #[derive(Debug, Clone, PartialEq)]
    pub enum Value {
        String(String),
        Double(f64),
        U16(u16),
        U32(u32),
        U64(u64),
        Bool(bool),
        Array(Vec<Value>),
        Map(BTreeMap<String, Value>),
    }

    /// A GeoIP2 City record: English (and other languages') names, location and time zone.
    #[derive(Debug, Clone, Default)]
    pub struct City {
        /// `(language, name)` pairs for each part (e.g. `("en", "Paris"), ("de", "Paris")`).
        pub city: Vec<(String, String)>,
        pub country: Vec<(String, String)>,
        pub country_iso: Option<String>,
        pub region: Vec<(String, String)>,
        pub continent: Vec<(String, String)>,
        pub continent_code: Option<String>,
        pub lat: Option<f64>,
        pub lon: Option<f64>,
        pub metro_code: Option<u16>,
        pub timezone: Option<String>,
    }

    fn names(pairs: &[(String, String)]) -> Value {
        Value::Map(
            pairs
                .iter()
                .map(|(l, n)| (l.clone(), Value::String(n.clone())))
                .collect(),
        )
    }

    impl City {
        /// The record as GeoIP2 City databases lay it out.
        pub fn to_value(&self) -> Value {
            let mut m = BTreeMap::new();
            let mut named = |key: &str, pairs: &[(String, String)], code: Option<(&str, &str)>| {
                if pairs.is_empty() && code.is_none() {
                    return;
                }
                let mut part = BTreeMap::new();
                part.insert("names".to_string(), names(pairs));
                if let Some((k, v)) = code {
                    part.insert(k.to_string(), Value::String(v.to_string()));
                }
                m.insert(key.to_string(), Value::Map(part));
            };
            named("city", &self.city, None);
            named(
                "country",
                &self.country,
                self.country_iso.as_deref().map(|c| ("iso_code", c)),
            );
            named(
                "continent",
                &self.continent,
                self.continent_code.as_deref().map(|c| ("code", c)),
            );
            if !self.region.is_empty() {
                let mut part = BTreeMap::new();
                part.insert("names".to_string(), names(&self.region));
                m.insert("subdivisions".into(), Value::Array(vec![Value::Map(part)]));
            }
            let mut loc = BTreeMap::new();
            if let Some(v) = self.lat {
                loc.insert("latitude".to_string(), Value::Double(v));
            }
            if let Some(v) = self.lon {
                loc.insert("longitude".to_string(), Value::Double(v));
            }
            if let Some(v) = self.metro_code {
                loc.insert("metro_code".to_string(), Value::U16(v));
            }
            if let Some(v) = &self.timezone {
                loc.insert("time_zone".to_string(), Value::String(v.clone()));
            }
            if !loc.is_empty() {
                m.insert("location".into(), Value::Map(loc));
            }
            Value::Map(m)
        }
    }

    fn control(out: &mut Vec<u8>, kind: u8, size: usize) {
        let (first, extra): (u8, Vec<u8>) = if size < 29 {
            (size as u8, vec![])
        } else if size < 285 {
            (29, vec![(size - 29) as u8])
        } else if size < 65_821 {
            let s = (size - 285) as u16;
            (30, s.to_be_bytes().to_vec())
        } else {
            let s = (size - 65_821) as u32;
            (31, s.to_be_bytes()[1..].to_vec())
        };
        if kind <= 7 {
            out.push((kind << 5) | first);
        } else {
            out.push(first);
            out.push(kind - 7);
        }
        out.extend(extra);
    }

    fn uint(out: &mut Vec<u8>, kind: u8, v: u64) {
        let bytes = v.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        control(out, kind, 8 - skip);
        out.extend(&bytes[skip..]);
    }

    /// Append one value in the data section's encoding.
    pub fn encode(out: &mut Vec<u8>, v: &Value) {
        match v {
            Value::String(s) => {
                control(out, 2, s.len());
                out.extend(s.as_bytes());
            }
            Value::Double(d) => {
                control(out, 3, 8);
                out.extend(d.to_be_bytes());
            }
            Value::U16(n) => uint(out, 5, u64::from(*n)),
            Value::U32(n) => uint(out, 6, u64::from(*n)),
            Value::U64(n) => uint(out, 9, *n),
            Value::Bool(b) => control(out, 14, usize::from(*b)),
            Value::Map(m) => {
                control(out, 7, m.len());
                for (k, v) in m {
                    encode(out, &Value::String(k.clone()));
                    encode(out, v);
                }
            }
            Value::Array(a) => {
                control(out, 11, a.len());
                for v in a {
                    encode(out, v);
                }
            }
        }
    }

    #[derive(Clone, Copy, PartialEq)]
    enum Rec {
        Empty,
        Node(usize),
        Data(usize),
    }

    /// A database being built: networks and their records.
    #[derive(Default)]
    pub struct Builder {
        nodes: Vec<[Rec; 2]>,
        data: Vec<u8>,
    }

    impl Builder {
        /// An empty database.
        pub fn new() -> Builder {
            Builder {
                nodes: vec![[Rec::Empty, Rec::Empty]],
                data: Vec::new(),
            }
        }

        /// Add a network in CIDR notation (`81.2.69.0/24`, `2001:db8::/32`) with its record.
        /// Later, more specific networks override earlier ones inside them.
        pub fn insert(&mut self, cidr: &str, record: &Value) -> Result<(), String> {
            let (addr, len) = cidr.split_once('/').unwrap_or((cidr, ""));
            let ip: std::net::IpAddr = addr.parse().map_err(|_| format!("bad network {cidr}"))?;
            let (bits, max): (u128, u32) = match ip {
                std::net::IpAddr::V4(v4) => (u128::from(u32::from(v4)), 32),
                std::net::IpAddr::V6(v6) => (u128::from(v6), 128),
            };
            let len: u32 = if len.is_empty() {
                max
            } else {
                len.parse()
                    .ok()
                    .filter(|l| *l <= max)
                    .ok_or_else(|| format!("bad prefix length in {cidr}"))?
            };
            // IPv4 networks live under ::/96 of the IPv6 tree.
            let depth = len + (128 - max);
            let offset = self.data.len();
            encode(&mut self.data, record);
            let mut node = 0usize;
            for i in 0..depth {
                let bit = ((bits >> (127 - i)) & 1) as usize;
                if i + 1 == depth {
                    self.nodes[node][bit] = Rec::Data(offset);
                    break;
                }
                node = match self.nodes[node][bit] {
                    Rec::Node(n) => n,
                    other => {
                        // A new node; a wider network's record covers both of its halves.
                        self.nodes.push([other, other]);
                        let n = self.nodes.len() - 1;
                        self.nodes[node][bit] = Rec::Node(n);
                        n
                    }
                };
            }
            Ok(())
        }

        /// The database file's bytes.
        pub fn build(&self, database_type: &str) -> Vec<u8> {
            let count = self.nodes.len();
            let value = |r: Rec| -> u32 {
                match r {
                    Rec::Empty => count as u32,
                    Rec::Node(n) => n as u32,
                    Rec::Data(off) => (count + 16 + off) as u32,
                }
            };
            let mut out = Vec::new();
            for [l, r] in &self.nodes {
                out.extend(&value(*l).to_be_bytes()[1..]);
                out.extend(&value(*r).to_be_bytes()[1..]);
            }
            out.extend([0u8; 16]);
            out.extend(&self.data);
            out.extend(b"\xAB\xCD\xEFMaxMind.com");
            let mut meta = BTreeMap::new();
            meta.insert("node_count".to_string(), Value::U32(count as u32));
            meta.insert("record_size".to_string(), Value::U16(24));
            meta.insert("ip_version".to_string(), Value::U16(6));
            meta.insert(
                "database_type".to_string(),
                Value::String(database_type.to_string()),
            );
            meta.insert(
                "languages".to_string(),
                Value::Array(vec![Value::String("en".into())]),
            );
            meta.insert("binary_format_major_version".to_string(), Value::U16(2));
            meta.insert("binary_format_minor_version".to_string(), Value::U16(0));
            meta.insert("build_epoch".to_string(), Value::U64(1_700_000_000));
            let mut desc = BTreeMap::new();
            desc.insert(
                "en".to_string(),
                Value::String("built by spelunk's MMDB writer".into()),
            );
            meta.insert("description".to_string(), Value::Map(desc));
            encode(&mut out, &Value::Map(meta));
            out
        }
    }

    fn en(s: &str) -> Vec<(String, String)> {
        vec![("en".to_string(), s.to_string())]
    }

    /// A small City database of documentation and well-known public ranges, for tests and
    /// examples (the values are illustrative, not real geolocation data):
    ///
    /// | network | City | Region | Country | lat, lon |
    /// |---|---|---|---|---|
    /// | 81.2.69.0/24 | London | England | United Kingdom | 51.5142, -0.0931 |
    /// | 8.8.8.0/24 | (none) | (none) | United States | 37.751, -97.822 |
    /// | 1.0.0.0/8 | Sydney | New South Wales | Australia | -33.8688, 151.209 |
    /// | 2.0.0.0/8, 3.0.0.0/8, 52.0.0.0/8, 54.0.0.0/8 | Ashburn | Virginia | United States | 39.0469, -77.4903 |
    /// | 34.0.0.0/8, 35.0.0.0/8 | Council Bluffs | Iowa | United States | 41.2619, -95.8608 |
    /// | 2001:db8::/32 | Berlin | Land Berlin | Germany | 52.52, 13.405 |
    ///
    /// London also has German names (`lang=de`: London, England, Vereinigtes Königreich), and
    /// every record has its continent and time zone; Ashburn has metro code 511.
    pub fn sample_city_database() -> Vec<u8> {
        let mut b = Builder::new();
        let london = City {
            city: vec![
                ("en".into(), "London".into()),
                ("de".into(), "London".into()),
            ],
            country: vec![
                ("en".into(), "United Kingdom".into()),
                ("de".into(), "Vereinigtes Königreich".into()),
            ],
            country_iso: Some("GB".into()),
            region: vec![
                ("en".into(), "England".into()),
                ("de".into(), "England".into()),
            ],
            continent: vec![
                ("en".into(), "Europe".into()),
                ("de".into(), "Europa".into()),
            ],
            continent_code: Some("EU".into()),
            lat: Some(51.5142),
            lon: Some(-0.0931),
            metro_code: None,
            timezone: Some("Europe/London".into()),
        };
        let us = |city: &str, region: &str, lat: f64, lon: f64, metro: Option<u16>| City {
            city: if city.is_empty() { vec![] } else { en(city) },
            country: en("United States"),
            country_iso: Some("US".into()),
            region: if region.is_empty() {
                vec![]
            } else {
                en(region)
            },
            continent: en("North America"),
            continent_code: Some("NA".into()),
            lat: Some(lat),
            lon: Some(lon),
            metro_code: metro,
            timezone: Some("America/Chicago".into()),
        };
        let sydney = City {
            city: en("Sydney"),
            country: en("Australia"),
            country_iso: Some("AU".into()),
            region: en("New South Wales"),
            continent: en("Oceania"),
            continent_code: Some("OC".into()),
            lat: Some(-33.8688),
            lon: Some(151.209),
            metro_code: None,
            timezone: Some("Australia/Sydney".into()),
        };
        let berlin = City {
            city: en("Berlin"),
            country: en("Germany"),
            country_iso: Some("DE".into()),
            region: en("Land Berlin"),
            continent: en("Europe"),
            continent_code: Some("EU".into()),
            lat: Some(52.52),
            lon: Some(13.405),
            metro_code: None,
            timezone: Some("Europe/Berlin".into()),
        };
        let ashburn = us("Ashburn", "Virginia", 39.0469, -77.4903, Some(511));
        let bluffs = us("Council Bluffs", "Iowa", 41.2619, -95.8608, None);
        let entries: Vec<(&str, &City)> = vec![
            ("1.0.0.0/8", &sydney),
            ("2.0.0.0/8", &ashburn),
            ("3.0.0.0/8", &ashburn),
            ("52.0.0.0/8", &ashburn),
            ("54.0.0.0/8", &ashburn),
            ("34.0.0.0/8", &bluffs),
            ("35.0.0.0/8", &bluffs),
            ("81.2.69.0/24", &london),
            ("2001:db8::/32", &berlin),
        ];
        for (net, city) in entries {
            // The networks above are valid CIDR: insert cannot fail.
            let _ = b.insert(net, &city.to_value());
        }
        let _ = b.insert("8.8.8.0/24", &us("", "", 37.751, -97.822, None).to_value());
        b.build("GeoIP2-City")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> GeoIp {
        GeoIp::from_bytes(writer::sample_city_database(), Path::new("sample.mmdb")).unwrap()
    }

    #[test]
    fn the_written_database_reads_back_with_maxminddb() {
        let g = db();
        assert_eq!(g.database_type(), "GeoIP2-City");
        let l = g.locate("81.2.69.160", "en").unwrap();
        assert_eq!(l.city.as_deref(), Some("London"));
        assert_eq!(l.region.as_deref(), Some("England"));
        assert_eq!(l.country.as_deref(), Some("United Kingdom"));
        assert_eq!(l.continent.as_deref(), Some("Europe"));
        assert_eq!(l.lat, Some(51.5142));
        assert_eq!(l.lon, Some(-0.0931));
        assert_eq!(l.timezone.as_deref(), Some("Europe/London"));
        let de = g.locate("81.2.69.160", "de").unwrap();
        assert_eq!(de.country.as_deref(), Some("Vereinigtes Königreich"));
        // A language the record lacks: no name, the coordinates still.
        let ja = g.locate("81.2.69.160", "ja").unwrap();
        assert_eq!(ja.city, None);
        assert_eq!(ja.lat, Some(51.5142));
        // Country-level only.
        let l = g.locate("8.8.8.8", "en").unwrap();
        assert_eq!(l.city, None);
        assert_eq!(l.country.as_deref(), Some("United States"));
        assert_eq!(g.locate("52.95.1.2", "en").unwrap().metro_code, Some(511));
        // IPv6, and a network in CIDR notation.
        assert_eq!(
            g.locate("2001:db8::1", "en").unwrap().city.as_deref(),
            Some("Berlin")
        );
        assert_eq!(
            g.locate("81.2.69.0/24", "en").unwrap().city.as_deref(),
            Some("London")
        );
        // Private, unlisted and not addresses.
        for v in [
            "10.1.2.3",
            "192.168.0.1",
            "127.0.0.1",
            "9.9.9.9",
            "::1",
            "x",
            "",
        ] {
            assert_eq!(g.locate(v, "en"), None, "{v}");
        }
    }

    #[test]
    fn bad_files_are_errors_naming_them() {
        let e = GeoIp::open(Path::new("/nonexistent/geo.mmdb")).unwrap_err();
        assert!(
            e.contains("/nonexistent/geo.mmdb") && e.contains("does not exist"),
            "{e}"
        );
        let e = GeoIp::from_bytes(b"not a database".to_vec(), Path::new("x.mmdb")).unwrap_err();
        assert!(e.contains("not a MaxMind DB"), "{e}");
    }

    #[test]
    fn a_more_specific_network_overrides_a_wider_one() {
        use writer::{Builder, Value};
        let mut b = Builder::new();
        let rec = |c: &str| {
            let mut names = BTreeMap::new();
            names.insert("en".to_string(), Value::String(c.to_string()));
            let mut city = BTreeMap::new();
            city.insert("names".to_string(), Value::Map(names));
            let mut m = BTreeMap::new();
            m.insert("city".to_string(), Value::Map(city));
            Value::Map(m)
        };
        b.insert("20.0.0.0/8", &rec("Wide")).unwrap();
        b.insert("20.1.0.0/16", &rec("Narrow")).unwrap();
        assert!(b.insert("20.0.0.0/33", &rec("x")).is_err());
        let g = GeoIp::from_bytes(b.build("Test"), Path::new("t.mmdb")).unwrap();
        let city = |ip: &str| g.locate(ip, "en").and_then(|l| l.city);
        assert_eq!(city("20.1.2.3").as_deref(), Some("Narrow"));
        assert_eq!(city("20.2.2.3").as_deref(), Some("Wide"));
        assert_eq!(city("21.0.0.1"), None);
    }
}
