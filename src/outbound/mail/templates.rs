//! The mails the service sends, in each language, rendered to plain text and HTML.

use super::Mail;
use crate::domain::language::Language;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    PasswordReset,
    PasswordChanged,
    EmailVerification,
    /// To the new address: the link that makes it the account's.
    EmailChange,
    /// To the old address: a change to another (masked) address was asked for.
    EmailChangeNotice,
}

impl Template {
    pub fn name(self) -> &'static str {
        match self {
            Template::PasswordReset => "password_reset",
            Template::PasswordChanged => "password_changed",
            Template::EmailVerification => "email_verification",
            Template::EmailChange => "email_change",
            Template::EmailChangeNotice => "email_change_notice",
        }
    }
}

/// What a template is filled with. `link` is the one secret a mail may carry: the link it exists to
/// deliver.
pub struct Fill<'a> {
    pub username: &'a str,
    pub link: Option<&'a str>,
    /// What a notice names in its body (`{detail}`), such as a masked address.
    pub detail: Option<&'a str>,
}

impl<'a> Fill<'a> {
    /// A notice that needs nothing but the name.
    pub fn plain(username: &'a str) -> Self {
        Self {
            username,
            link: None,
            detail: None,
        }
    }

    /// A mail that exists to deliver `link`.
    pub fn link(username: &'a str, link: &'a str) -> Self {
        Self {
            link: Some(link),
            ..Self::plain(username)
        }
    }

    /// A notice that names `detail` in its body.
    pub fn notice(username: &'a str, detail: &'a str) -> Self {
        Self {
            detail: Some(detail),
            ..Self::plain(username)
        }
    }
}

struct Text {
    subject: &'static str,
    greeting: &'static str,
    body: &'static str,
    action: &'static str,
    footer: &'static str,
}

fn text(template: Template, language: Language) -> Text {
    use Language::*;
    use Template::*;
    match (template, language) {
        (PasswordReset, English) => Text {
            subject: "Reset your Chatty password",
            greeting: "Hi {name},",
            body: "Someone (hopefully you) asked to reset the password of your Chatty account. \
                   The link below works once, for one hour.",
            action: "Choose a new password",
            footer: "If you did not ask for this, ignore this mail: your password stays as it is.",
        },
        (PasswordReset, Russian) => Text {
            subject: "Сброс пароля Chatty",
            greeting: "Здравствуйте, {name}!",
            body: "Кто-то (надеемся, вы) попросил сбросить пароль вашей учётной записи Chatty. \
                   Ссылка ниже сработает один раз в течение часа.",
            action: "Выбрать новый пароль",
            footer: "Если вы этого не просили, просто не обращайте внимания на это письмо: пароль останется прежним.",
        },
        (PasswordChanged, English) => Text {
            subject: "Your Chatty password was changed",
            greeting: "Hi {name},",
            body: "The password of your Chatty account was just changed, and every device was signed out.",
            action: "",
            footer: "If this was not you, reset your password right away and tell us.",
        },
        (PasswordChanged, Russian) => Text {
            subject: "Пароль Chatty изменён",
            greeting: "Здравствуйте, {name}!",
            body: "Пароль вашей учётной записи Chatty только что изменён, на всех устройствах выполнен выход.",
            action: "",
            footer: "Если это были не вы, немедленно сбросьте пароль и сообщите нам.",
        },
        (EmailVerification, English) => Text {
            subject: "Confirm your email for Chatty",
            greeting: "Hi {name},",
            body: "Welcome to Chatty! Please confirm that this is your email address. The link works for 24 hours.",
            action: "Confirm my email",
            footer: "If you did not sign up for Chatty, ignore this mail.",
        },
        (EmailVerification, Russian) => Text {
            subject: "Подтвердите адрес почты для Chatty",
            greeting: "Здравствуйте, {name}!",
            body: "Добро пожаловать в Chatty! Подтвердите, пожалуйста, что это ваш адрес. Ссылка действует 24 часа.",
            action: "Подтвердить адрес",
            footer: "Если вы не регистрировались в Chatty, не обращайте внимания на это письмо.",
        },
        (EmailChange, English) => Text {
            subject: "Confirm your new email for Chatty",
            greeting: "Hi {name},",
            body: "You asked to use this address for your Chatty account. The link below works once, for one hour; \
                   until it is used, your account keeps its current address.",
            action: "Use this address",
            footer: "If you did not ask for this, ignore this mail: nothing changes.",
        },
        (EmailChange, Russian) => Text {
            subject: "Подтвердите новый адрес почты для Chatty",
            greeting: "Здравствуйте, {name}!",
            body: "Вы попросили использовать этот адрес для учётной записи Chatty. Ссылка ниже сработает один раз \
                   в течение часа; до этого у учётной записи остаётся прежний адрес.",
            action: "Использовать этот адрес",
            footer: "Если вы этого не просили, просто не обращайте внимания на это письмо: ничего не изменится.",
        },
        (EmailChangeNotice, English) => Text {
            subject: "Your Chatty email is about to change",
            greeting: "Hi {name},",
            body: "Someone signed in to your Chatty account asked to change its email to {detail}. \
                   The change happens only if the link sent to that address is used within one hour.",
            action: "",
            footer: "If this was not you, change your password right away and tell us.",
        },
        (EmailChangeNotice, Russian) => Text {
            subject: "Адрес почты Chatty скоро изменится",
            greeting: "Здравствуйте, {name}!",
            body: "Кто-то, вошедший в вашу учётную запись Chatty, попросил сменить её адрес на {detail}. \
                   Адрес изменится, только если ссылкой из письма на тот адрес воспользуются в течение часа.",
            action: "",
            footer: "Если это были не вы, немедленно смените пароль и сообщите нам.",
        },
    }
}

pub fn render(
    template: Template,
    language: Language,
    from: &str,
    to: &str,
    fill: &Fill<'_>,
) -> Mail {
    let t = text(template, language);
    let greeting = t.greeting.replace("{name}", fill.username);
    let body = t.body.replace("{detail}", fill.detail.unwrap_or_default());
    let mut plain = format!("{greeting}\n\n{body}\n\n");
    let mut html = format!(
        "<!doctype html><html lang=\"{}\"><body style=\"font-family:sans-serif\"><p>{}</p><p>{}</p>",
        language.code(),
        escape(&greeting),
        escape(&body)
    );
    if let Some(link) = fill.link {
        plain.push_str(&format!("{}: {link}\n\n", t.action));
        html.push_str(&format!(
            "<p><a href=\"{0}\">{1}</a></p><p style=\"font-size:small\">{0}</p>",
            escape(link),
            escape(t.action)
        ));
    }
    plain.push_str(t.footer);
    plain.push_str("\n\n-- \nChatty\n");
    html.push_str(&format!(
        "<p>{}</p><p>Chatty</p></body></html>",
        escape(t.footer)
    ));
    Mail {
        from: from.to_owned(),
        to: to.to_owned(),
        subject: t.subject.to_owned(),
        text: plain,
        html,
    }
}

/// The link with `{token}` filled in.
pub fn link(template: &str, token: &str) -> String {
    template.replace("{token}", token)
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reset(language: Language) -> Mail {
        render(
            Template::PasswordReset,
            language,
            "Chatty <no-reply@chatty.test>",
            "ann@example.com",
            &Fill {
                detail: None,
                username: "ann",
                link: Some("https://chatty.test/reset?token=abc&x=\"1\""),
            },
        )
    }

    #[test]
    fn the_link_appears_in_both_text_and_html() {
        let mail = reset(Language::English);
        assert!(
            mail.text
                .contains("https://chatty.test/reset?token=abc&x=\"1\"")
        );
        assert!(
            mail.html
                .contains("href=\"https://chatty.test/reset?token=abc&amp;x=&quot;1&quot;\"")
        );
        assert!(mail.text.starts_with("Hi ann,"));
        assert_eq!(mail.subject, "Reset your Chatty password");
    }

    #[test]
    fn russian_mails_are_in_russian() {
        let mail = reset(Language::Russian);
        assert_eq!(mail.subject, "Сброс пароля Chatty");
        assert!(mail.text.starts_with("Здравствуйте, ann!"));
        assert!(mail.html.contains("lang=\"ru\""));
    }

    #[test]
    fn a_notification_carries_no_link() {
        let mail = render(
            Template::PasswordChanged,
            Language::English,
            "x@chatty.test",
            "ann@example.com",
            &Fill {
                detail: None,
                username: "ann",
                link: None,
            },
        );
        assert!(!mail.text.contains("http"));
        assert!(!mail.html.contains("href"));
    }

    #[test]
    fn the_email_change_notice_names_the_masked_address_in_both_languages() {
        for language in [Language::English, Language::Russian] {
            let mail = render(
                Template::EmailChangeNotice,
                language,
                "x@chatty.test",
                "ann@example.com",
                &Fill {
                    detail: Some("k***@e***.org"),
                    username: "ann<b>",
                    link: None,
                },
            );
            assert!(mail.text.contains("k***@e***.org"), "{}", mail.text);
            assert!(mail.html.contains("k***@e***.org"));
            assert!(mail.html.contains("ann&lt;b&gt;"));
            assert!(!mail.text.contains("{detail}") && !mail.html.contains("href"));
        }
    }

    #[test]
    fn links_fill_the_token_in() {
        assert_eq!(link("https://x/r?t={token}", "abc"), "https://x/r?t=abc");
    }
}
