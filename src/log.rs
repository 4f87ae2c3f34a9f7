//! One JSON object per line on stdout, which Spin collects as the component's log.
//! Callers pass only what is safe to keep: never a password, token, hash or secret.

use serde_json::{Map, Value, json};

pub fn info(event: &str, fields: Value) {
    write("info", event, fields);
}

pub fn warn(event: &str, fields: Value) {
    write("warn", event, fields);
}

pub fn error(event: &str, fields: Value) {
    write("error", event, fields);
}

fn write(level: &str, event: &str, fields: Value) {
    let mut line = Map::new();
    line.insert("level".to_owned(), json!(level));
    line.insert("event".to_owned(), json!(event));
    if let Value::Object(extra) = fields {
        line.extend(extra);
    }
    println!("{}", Value::Object(line));
}
