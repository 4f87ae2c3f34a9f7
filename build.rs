//! Serves `/openapi.json` without its indentation: the document in `src/api/openapi.json` is
//! written for people, and 40% of it is whitespace that every fetch would carry. Only whitespace
//! outside strings goes; keys, order and values stay exactly as written. The gzip coding of that
//! (for clients that accept it: a sixth of the size) and the entity tags of both are made here too,
//! once, rather than on every request.

use std::io::Write;
use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    const SOURCE: &str = "src/api/openapi.json";
    println!("cargo::rerun-if-changed={SOURCE}");
    let text = std::fs::read_to_string(SOURCE)?;
    let out = std::env::var("OUT_DIR")?;
    let out = Path::new(&out);
    let served = minify(&text);
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gzip.write_all(served.as_bytes())?;
    let gzipped = gzip.finish()?;
    let tag = format!("{:016x}", fnv1a(served.as_bytes()));
    std::fs::write(out.join("openapi.json"), &served)?;
    std::fs::write(out.join("openapi.json.gz"), gzipped)?;
    std::fs::write(out.join("openapi.etag"), format!("\"{tag}\""))?;
    std::fs::write(out.join("openapi.gz.etag"), format!("\"{tag}-gzip\""))?;
    Ok(())
}

/// A 64-bit FNV-1a hash: an entity tag only has to change when the document does.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `text` without the whitespace between JSON tokens.
fn minify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if in_string {
            out.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_ascii_whitespace() {
            out.push(c);
        }
    }
    out
}
