//! The relay: a mail from the outbox posted as JSON, in the format the configured relay reads.

use super::Mail;
use crate::config::{MailFormat, MailRelay};
use crate::outbound::client::{self, Request, SendError, Timeouts};
use serde_json::json;
use wasi::http::types::Method;

/// `Name <address>` or a bare address, split for formats that want them apart.
fn split_address(from: &str) -> (&str, &str) {
    match (from.rfind('<'), from.rfind('>')) {
        (Some(open), Some(close)) if open < close => (
            from.get(..open)
                .unwrap_or_default()
                .trim()
                .trim_matches('"'),
            from.get(open + 1..close).unwrap_or_default().trim(),
        ),
        _ => ("", from.trim()),
    }
}

/// The relay request body in the configured format.
fn relay_body(mail: &Mail, format: MailFormat) -> serde_json::Value {
    match format {
        MailFormat::Mailpit => {
            let (name, address) = split_address(&mail.from);
            json!({
                "From": {"Email": address, "Name": name},
                "To": [{"Email": mail.to}],
                "Subject": mail.subject,
                "Text": mail.text,
                "HTML": mail.html,
            })
        }
        MailFormat::Json => json!({
            "from": mail.from,
            "to": [mail.to],
            "subject": mail.subject,
            "text": mail.text,
            "html": mail.html,
        }),
    }
}

/// Posts one mail to the relay. Any 2xx is a delivery.
pub fn deliver(
    relay: &MailRelay,
    id: &str,
    mail: &Mail,
    timeouts: Timeouts,
) -> Result<(), SendError> {
    let mut headers = vec![
        ("content-type", "application/json".to_owned()),
        ("idempotency-key", id.to_owned()),
    ];
    if let Some(token) = &relay.token {
        headers.push(("authorization", format!("Bearer {}", token.expose())));
    }
    let response = client::send(
        Request {
            method: Method::Post,
            origin: &relay.origin,
            path: &relay.path,
            headers,
            body: relay_body(mail, relay.format).to_string().into_bytes(),
        },
        timeouts,
    )?;
    if (200..300).contains(&response.status) {
        Ok(())
    } else {
        Err(SendError(format!("relay answered {}", response.status)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail() -> Mail {
        Mail {
            from: "Chatty <no-reply@chatty.test>".into(),
            to: "ann@example.com".into(),
            subject: "Reset your Chatty password".into(),
            text: "Hi ann,".into(),
            html: "<p>Hi ann,</p>".into(),
        }
    }

    #[test]
    fn relay_formats() {
        let mail = mail();
        let mailpit = relay_body(&mail, MailFormat::Mailpit);
        assert_eq!(mailpit["From"]["Email"], "no-reply@chatty.test");
        assert_eq!(mailpit["From"]["Name"], "Chatty");
        assert_eq!(mailpit["To"][0]["Email"], "ann@example.com");
        assert_eq!(mailpit["Subject"], mail.subject);
        assert!(mailpit["HTML"].is_string() && mailpit["Text"].is_string());
        let plain = relay_body(&mail, MailFormat::Json);
        assert_eq!(plain["from"], "Chatty <no-reply@chatty.test>");
        assert_eq!(plain["to"], json!(["ann@example.com"]));
        for key in ["subject", "text", "html"] {
            assert!(plain[key].is_string());
        }
    }

    #[test]
    fn bare_sender_addresses_are_understood() {
        assert_eq!(split_address("no-reply@x.test"), ("", "no-reply@x.test"));
        assert_eq!(
            split_address("\"Chatty Team\" <a@x.test>"),
            ("Chatty Team", "a@x.test")
        );
    }
}
