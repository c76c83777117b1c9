//! Embeds the golden vectors made by Node's `jsonwebtoken` (tests/vectors/vectors.json) as
//! Rust constants the device signs and verifies, and puts memory.x where the linker finds it.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    std::fs::copy("memory.x", out.join("memory.x")).expect("copy memory.x");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory.x");

    let path = "../tests/vectors/vectors.json";
    println!("cargo:rerun-if-changed={path}");
    let text = std::fs::read_to_string(path).expect("tests/vectors/vectors.json");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("vectors parse");
    let mut code = String::from("static VECTORS: &[Vector] = &[\n");
    for v in doc["vectors"].as_array().expect("vectors") {
        let c = &v["claims"];
        let list = |key: &str, ty: &str| -> String {
            let names: Vec<String> = c[key]
                .as_array()
                .map(|items| {
                    items
                        .iter()
                        .map(|n| format!("{ty}::{}", variant(n.as_str().expect("name"))))
                        .collect()
                })
                .unwrap_or_default();
            format!("&[{}]", names.join(", "))
        };
        let opt = |key: &str| match c[key].as_str() {
            Some(s) => format!("Some({s:?})"),
            None => "None".to_owned(),
        };
        let expires = match &v["expiresIn"] {
            serde_json::Value::String(s) => format!("Expires::Text({s:?})"),
            n => format!("Expires::Seconds({n})"),
        };
        writeln!(
            code,
            "    Vector {{ name: {:?}, secret: {:?}, apikey: {:?}, permissions: {}, version_2: {}, room_id: {}, participant_id: {}, roles: {}, iat: {}, expires: {expires}, token: {:?} }},",
            v["name"].as_str().expect("name"),
            v["secret"].as_str().expect("secret"),
            c["apikey"].as_str().expect("apikey"),
            list("permissions", "Permission"),
            c["version"].as_u64() == Some(2),
            opt("roomId"),
            opt("participantId"),
            list("roles", "Role"),
            c["iat"].as_u64().expect("iat"),
            v["token"].as_str().expect("token"),
        )
        .expect("write");
    }
    code.push_str("];\n");
    std::fs::write(out.join("vectors.rs"), code).expect("write vectors.rs");

    // The verify-only image checks the first vector, a token as a device would receive it.
    let first = &doc["vectors"][0];
    let received = format!(
        "const TOKEN: &str = {:?};\nconst SECRET: &[u8] = b{:?};\nconst IAT: u64 = {};\n",
        first["token"].as_str().expect("token"),
        first["secret"].as_str().expect("secret"),
        first["claims"]["iat"].as_u64().expect("iat"),
    );
    std::fs::write(out.join("received_token.rs"), received).expect("write received_token.rs");
}

fn variant(name: &str) -> &'static str {
    match name {
        "allow_join" => "AllowJoin",
        "ask_join" => "AskJoin",
        "allow_mod" => "AllowMod",
        "crawler" => "Crawler",
        "rtc" => "Rtc",
        other => panic!("unknown name {other}"),
    }
}
