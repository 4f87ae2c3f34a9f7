//! Serves `/openapi.json` without its indentation: the document in `src/api/openapi.json` is
//! written for people, and 40% of it is whitespace that every fetch would carry. Only whitespace
//! outside strings goes; keys, order and values stay exactly as written.

use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    const SOURCE: &str = "src/api/openapi.json";
    println!("cargo::rerun-if-changed={SOURCE}");
    let text = std::fs::read_to_string(SOURCE)?;
    let out = std::env::var("OUT_DIR")?;
    std::fs::write(Path::new(&out).join("openapi.json"), minify(&text))?;
    Ok(())
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
