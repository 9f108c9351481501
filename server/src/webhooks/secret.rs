//! Endpoint secrets as Standard Webhooks writes them: `whsec_` and the base64 of 32 random
//! bytes (the specification asks for 24 to 64).

use base64::Engine;

pub fn new_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}
