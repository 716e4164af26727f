//! Hadoop glob patterns (spec §1.8): the source path may be a glob, and `pathGlobFilter` is one.
//!
//! Syntax is Hadoop's `GlobPattern`: `?` one character, `*` any run of characters, `[abc]`,
//! `[a-z]`, `[^a]` / `[!a]` classes, `{a,b}` alternation (nestable), `\` escapes the next
//! character. A pattern matches one path component: like Hadoop's `Globber`, which splits the
//! path on `/` before matching, a glob never crosses a folder boundary.

use regex::Regex;
use spate_engine::storage::Location;
use spate_engine::{Error, Result};

/// Characters that make a path a glob (Hadoop's `isGlobPath`: `{}[]*?\`).
const GLOB_CHARS: &[char] = &['{', '}', '[', ']', '*', '?', '\\'];

/// One compiled Hadoop glob, matched against a whole name.
#[derive(Debug, Clone)]
pub struct GlobPattern {
    text: String,
    regex: Regex,
}

impl GlobPattern {
    /// Compiles `glob` the way Hadoop's `GlobPattern` does (a glob -> an anchored regex).
    pub fn compile(glob: &str) -> Result<Self> {
        let bad = |what: &str| Error::config(format!("invalid glob pattern '{glob}': {what}"));
        let mut re = String::from("^(?s:");
        let mut chars = glob.chars().peekable();
        let (mut braces, mut in_set, mut set_start) = (0usize, false, false);
        while let Some(c) = chars.next() {
            let at_set_start = std::mem::take(&mut set_start);
            match c {
                '\\' => {
                    let next = chars
                        .next()
                        .ok_or_else(|| bad("missing escaped character"))?;
                    re.push_str(&regex::escape(&next.to_string()));
                }
                '*' if !in_set => re.push_str(".*"),
                '?' if !in_set => re.push('.'),
                '{' if !in_set => {
                    braces += 1;
                    re.push_str("(?:");
                }
                ',' if braces > 0 && !in_set => re.push('|'),
                '}' if braces > 0 && !in_set => {
                    braces -= 1;
                    re.push(')');
                }
                '[' if !in_set => {
                    in_set = true;
                    set_start = true;
                    re.push('[');
                }
                '!' | '^' if at_set_start => re.push('^'),
                ']' if in_set => {
                    in_set = false;
                    re.push(']');
                }
                // Inside a class, `[` and `&`/`~`/`-` pairs mean something to the regex crate.
                '[' | '&' | '~' if in_set => {
                    re.push('\\');
                    re.push(c);
                }
                _ if in_set => re.push(c),
                _ => re.push_str(&regex::escape(&c.to_string())),
            }
        }
        if in_set {
            return Err(bad("unclosed character class"));
        }
        if braces > 0 {
            return Err(bad("unclosed group"));
        }
        re.push_str(")$");
        let regex = Regex::new(&re).map_err(|e| bad(&e.to_string()))?;
        Ok(GlobPattern {
            text: glob.to_string(),
            regex,
        })
    }

    /// Whether `name` (one path component, real characters) matches.
    pub fn matches(&self, name: &str) -> bool {
        self.regex.is_match(name)
    }

    /// The glob as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// True if `s` holds a glob character (Hadoop's `SparkHadoopUtil.isGlobPath`).
pub fn is_glob(s: &str) -> bool {
    s.contains(GLOB_CHARS)
}

/// The source path split at its first glob component: a folder to list, then one pattern per
/// remaining component (spec §1.8, one glob per source).
#[derive(Debug, Clone)]
pub struct SourcePath {
    /// The folder above the first glob component (the whole path when there is no glob).
    pub base: Location,
    /// One pattern per component from the first glob component on; empty for a plain folder.
    pub patterns: Vec<GlobPattern>,
}

impl SourcePath {
    /// Splits `path` (a local path or a URL) into its fixed folder and its glob components.
    pub fn parse(path: &str) -> Result<Self> {
        let (head, rest) = split_authority(path.trim());
        let parts: Vec<&str> = rest.split('/').collect();
        let Some(first_glob) = parts.iter().position(|p| is_glob(p)) else {
            return Ok(SourcePath {
                base: Location::parse(path)?,
                patterns: vec![],
            });
        };
        let fixed = parts[..first_glob].join("/");
        let base = if !fixed.is_empty() {
            format!("{head}{fixed}")
        } else if !head.is_empty() || rest.starts_with('/') {
            // `/*.json`, `s3://bucket/*`: the root folder.
            format!("{head}/")
        } else {
            // `*.json`: the working folder.
            ".".to_string()
        };
        let patterns = parts[first_glob..]
            .iter()
            .filter(|p| !p.is_empty())
            .map(|p| GlobPattern::compile(p))
            .collect::<Result<_>>()?;
        Ok(SourcePath {
            base: Location::parse(&base)?,
            patterns,
        })
    }

    /// Whether the path holds a glob.
    pub fn is_glob(&self) -> bool {
        !self.patterns.is_empty()
    }

    /// Whether a file `rel` (components below `base`) is selected by the glob: its first
    /// components match the patterns one to one; a match on a folder selects everything below it.
    pub fn selects(&self, rel: &[String]) -> bool {
        rel.len() >= self.patterns.len()
            && self
                .patterns
                .iter()
                .zip(rel)
                .all(|(p, name)| p.matches(name))
    }

    /// The path as the user wrote it, in Hadoop's form (`file:/in/*`), for the source's description.
    pub fn display(&self) -> String {
        let base = super::listing::hadoop_style(&self.base.display());
        if self.patterns.is_empty() {
            return base;
        }
        let globs: Vec<&str> = self.patterns.iter().map(GlobPattern::as_str).collect();
        format!("{}/{}", base.trim_end_matches('/'), globs.join("/"))
    }
}

/// Splits `s3://bucket/a/b` into (`s3://bucket`, `/a/b`); a plain path has no head.
fn split_authority(path: &str) -> (&str, &str) {
    if let Some(i) = path.find("://") {
        let after = i + 3;
        let end = path[after..].find('/').map_or(path.len(), |j| after + j);
        (&path[..end], &path[end..])
    } else {
        ("", path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(glob: &str, name: &str) -> bool {
        GlobPattern::compile(glob).unwrap().matches(name)
    }

    #[test]
    fn hadoop_glob_syntax() {
        assert!(m("a?", "a1") && !m("a?", "a12") && !m("a?", "a"));
        assert!(m("*.json", "x.json") && !m("*.json", "x.json.gz"));
        assert!(m("[abc]1", "b1") && !m("[abc]1", "d1"));
        assert!(m("[a-c]", "b") && !m("[a-c]", "d"));
        assert!(m("[^a]*", "b1") && !m("[^a]*", "a1"));
        assert!(m("[!a]*", "b1") && !m("[!a]*", "a1"));
        assert!(m("{a1,c}", "a1") && m("{a1,c}", "c") && !m("{a1,c}", "a"));
        assert!(m("x{a,b{1,2}}", "xb2") && !m("x{a,b{1,2}}", "xb3"));
        assert!(m("a\\*", "a*") && !m("a\\*", "ab"));
        // Regex characters are literal.
        assert!(m("a.b(c)+$", "a.b(c)+$") && !m("a.b", "axb"));
        // A comma outside braces is a plain character.
        assert!(m("a,b", "a,b"));
    }

    #[test]
    fn bad_globs_are_refused() {
        for g in ["[ab", "{a,b", "a\\"] {
            assert!(
                GlobPattern::compile(g)
                    .unwrap_err()
                    .to_string()
                    .contains("invalid glob pattern"),
                "{g}"
            );
        }
    }

    #[test]
    fn paths_split_at_the_first_glob() {
        let p = SourcePath::parse("/in/2024-*/x/{a,b}.json").unwrap();
        assert_eq!(p.base.display(), "file:///in");
        assert_eq!(
            p.patterns.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
            ["2024-*", "x", "{a,b}.json"]
        );
        assert!(p.selects(&["2024-01".into(), "x".into(), "a.json".into()]));
        assert!(!p.selects(&["2024-01".into(), "y".into(), "a.json".into()]));
        assert_eq!(p.display(), "file:/in/2024-*/x/{a,b}.json");
        // A glob matching folders selects every file below them.
        let p = SourcePath::parse("s3://bucket/in/a?/").unwrap();
        assert_eq!(p.base.display(), "s3://bucket/in");
        assert!(p.selects(&["a1".into(), "sub".into(), "f.json".into()]));
        assert!(!p.selects(&["a1".into()][..0]));
        let p = SourcePath::parse("/in").unwrap();
        assert!(!p.is_glob() && p.selects(&["anything".into()]));
        assert_eq!(
            SourcePath::parse("/*.json").unwrap().base.url.as_str(),
            "file:///"
        );
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(
            SourcePath::parse("*.json")
                .unwrap()
                .base
                .url
                .to_file_path()
                .unwrap(),
            cwd
        );
        assert_eq!(
            SourcePath::parse("file:///in/*").unwrap().base.display(),
            "file:///in"
        );
    }
}
