//! An invitation's mail: plain text and HTML (markup whose text maud always escapes), no
//! images, no tracking, nothing fetched from elsewhere. It says who invited (their address
//! when the login proxy named one), to what organization, which address was invited, when the
//! invitation expires (in UTC, said so), the link, and what to do if it was not expected. Its
//! headers: `Message-ID`, `Date`, and `Auto-Submitted: auto-generated` (no out-of-office
//! replies to a robot). Every text in a header is encoded by lettre: a name with a line
//! break or other scripts can never start a header of its own.

use lettre::Message;
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};

use crate::store::outbox::Outgoing;

/// What every mail of this server carries: who it is from, in whose name, and where the links
/// lead.
#[derive(Debug, Clone)]
pub struct Letterhead {
    /// The organization people are invited to (`--organization-name`).
    pub organization: String,
    /// `--mail-from`.
    pub from: Mailbox,
    /// The origin links start with (`--public-origin`, else the address the server listens
    /// on), without a trailing slash.
    pub link_base: String,
    /// `--dkim-key` and `--dkim-selector`, when given.
    pub dkim: Option<super::dkim::Signer>,
}

/// The link in an invitation's mail: the token is the path's last segment, never a query
/// (queries end up in logs and in `Referer`).
pub fn link(link_base: &str, token: &str) -> String {
    format!("{link_base}/invitation/{token}")
}

/// The mail for `outgoing`, or why it cannot be made (an address lettre refuses).
pub fn compose(letterhead: &Letterhead, outgoing: &Outgoing) -> Result<Message, String> {
    let words = Words::of(&outgoing.locale);
    let to = recipient(&outgoing.recipient)?;
    let organization = letterhead.organization.as_str();
    let subject = match &outgoing.inviter {
        Some(inviter) => words.subject_by(inviter, organization),
        None => words.subject(organization),
    };
    // A reminder says so first, in the subject and above the rest; the rest is the same mail.
    let (subject, reminded) = if outgoing.reminder {
        (
            words.reminder_subject.replace("{subject}", &subject),
            Some(words.reminder),
        )
    } else {
        (subject, None)
    };
    let invited = match &outgoing.inviter {
        Some(inviter) => words.invited_by(inviter, organization),
        None => words.invited(organization),
    };
    let link = link(&letterhead.link_base, &outgoing.token);
    let sent_to = words.sent_to(
        &outgoing.recipient,
        &outgoing.expires_at.format(words.date).to_string(),
    );
    let text = format!(
        "{reminded}{invited}\n\n{open}\n{link}\n\n{sent_to}\n\n{unexpected}\n",
        reminded = reminded
            .map(|line| format!("{line}\n\n"))
            .unwrap_or_default(),
        open = words.open,
        unexpected = words.unexpected,
    );
    let html = maud::html! {
        (maud::DOCTYPE)
        html lang=(words.lang) dir=(words.dir) {
            head {
                meta charset="utf-8";
                title { (subject) }
            }
            body {
                @if let Some(line) = reminded {
                    p { strong { (line) } }
                }
                p { (invited) }
                p { a href=(link) { (words.open_button) } }
                p { (words.or_copy) br; (link) }
                p { (sent_to) }
                p { (words.unexpected) }
            }
        }
    }
    .into_string();
    Message::builder()
        .from(letterhead.from.clone())
        .to(to)
        .subject(subject)
        .date_now()
        .message_id(None)
        .header(AutoSubmitted)
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(text),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(html),
                ),
        )
        .map(|mut message| {
            if let Some(dkim) = &letterhead.dkim {
                dkim.sign(&mut message);
            }
            message
        })
        .map_err(|err| format!("the mail could not be composed: {err}"))
}

/// The invited address for the envelope: its domain in ASCII (IDNA), as mail servers route.
fn recipient(address: &str) -> Result<Mailbox, String> {
    let (local, domain) = address
        .rsplit_once('@')
        .ok_or_else(|| format!("{address:?} is no address"))?;
    let domain = idna::domain_to_ascii(domain)
        .map_err(|_| format!("the domain of {address:?} has no ASCII form"))?;
    format!("{local}@{domain}")
        .parse::<Mailbox>()
        .map_err(|err| format!("{address:?} cannot be sent to: {err}"))
}

/// `Auto-Submitted: auto-generated` (RFC 3834).
#[derive(Debug, Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

/// The mail's words in one language.
struct Words {
    lang: &'static str,
    dir: &'static str,
    open: &'static str,
    open_button: &'static str,
    or_copy: &'static str,
    unexpected: &'static str,
    /// `{organization}`; `{inviter}` and `{organization}`.
    subject: &'static str,
    subject_by: &'static str,
    invited: &'static str,
    invited_by: &'static str,
    /// `{address}` and `{expiry}`.
    sent_to: &'static str,
    /// How the expiry is written (chrono's format), with its time zone, UTC: digits where the
    /// language's month names would be needed.
    date: &'static str,
    /// A reminder's subject: `{subject}` is the invitation's own.
    reminder_subject: &'static str,
    /// A reminder's first line.
    reminder: &'static str,
}

impl Words {
    fn subject(&self, organization: &str) -> String {
        self.subject.replace("{organization}", organization)
    }

    fn subject_by(&self, inviter: &str, organization: &str) -> String {
        fill(self.subject_by, inviter, organization)
    }

    fn invited(&self, organization: &str) -> String {
        self.invited.replace("{organization}", organization)
    }

    fn invited_by(&self, inviter: &str, organization: &str) -> String {
        fill(self.invited_by, inviter, organization)
    }

    fn sent_to(&self, address: &str, expiry: &str) -> String {
        self.sent_to
            .replace("{address}", address)
            .replace("{expiry}", expiry)
    }

    /// The words of `locale` (one the console speaks), English for any other.
    fn of(locale: &str) -> &'static Words {
        WORDS
            .iter()
            .find(|words| words.lang == locale)
            .unwrap_or(&WORDS[0])
    }
}

/// Fills `{inviter}` and `{organization}` in one pass, so neither value's text is read as a
/// placeholder.
fn fill(template: &str, inviter: &str, organization: &str) -> String {
    let mut filled = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        filled.push_str(&rest[..start]);
        let after = &rest[start..];
        if let Some(tail) = after.strip_prefix("{inviter}") {
            filled.push_str(inviter);
            rest = tail;
        } else if let Some(tail) = after.strip_prefix("{organization}") {
            filled.push_str(organization);
            rest = tail;
        } else {
            filled.push('{');
            rest = &after[1..];
        }
    }
    filled.push_str(rest);
    filled
}

const WORDS: [Words; 6] = [
    Words {
        lang: "en",
        dir: "ltr",
        subject: "You are invited to join {organization}",
        subject_by: "{inviter} invited you to join {organization}",
        invited: "You are invited to join {organization}.",
        invited_by: "{inviter} invited you to join {organization}.",
        open: "To accept or decline the invitation, open this link:",
        open_button: "Accept or decline the invitation",
        or_copy: "Or copy this link into your browser:",
        sent_to: "This invitation was sent to {address}. It expires on {expiry}.",
        unexpected: "If you did not expect this invitation, you can ignore this message: nothing happens unless you accept.",
        date: "%A %-d %B %Y, %H:%M UTC",
        reminder_subject: "Reminder: {subject}",
        reminder: "A reminder: this invitation is still waiting for your answer, and it expires soon.",
    },
    Words {
        lang: "de",
        dir: "ltr",
        subject: "Einladung zu {organization}",
        subject_by: "{inviter} hat Sie zu {organization} eingeladen",
        invited: "Sie sind eingeladen, {organization} beizutreten.",
        invited_by: "{inviter} hat Sie eingeladen, {organization} beizutreten.",
        open: "Um die Einladung anzunehmen oder abzulehnen, öffnen Sie diesen Link:",
        open_button: "Einladung annehmen oder ablehnen",
        or_copy: "Oder kopieren Sie diesen Link in Ihren Browser:",
        sent_to: "Diese Einladung ging an {address}. Sie läuft am {expiry} ab.",
        unexpected: "Wenn Sie diese Einladung nicht erwartet haben, können Sie diese Nachricht ignorieren: Ohne Ihre Zustimmung geschieht nichts.",
        date: "%d.%m.%Y, %H:%M UTC",
        reminder_subject: "Erinnerung: {subject}",
        reminder: "Eine Erinnerung: Diese Einladung wartet noch auf Ihre Antwort und läuft bald ab.",
    },
    Words {
        lang: "fr",
        dir: "ltr",
        subject: "Invitation à rejoindre {organization}",
        subject_by: "{inviter} vous invite à rejoindre {organization}",
        invited: "Vous êtes invité à rejoindre {organization}.",
        invited_by: "{inviter} vous invite à rejoindre {organization}.",
        open: "Pour accepter ou refuser l’invitation, ouvrez ce lien :",
        open_button: "Accepter ou refuser l’invitation",
        or_copy: "Ou copiez ce lien dans votre navigateur :",
        sent_to: "Cette invitation a été envoyée à {address}. Elle expire le {expiry}.",
        unexpected: "Si vous n’attendiez pas cette invitation, vous pouvez ignorer ce message : rien ne se passe sans votre accord.",
        date: "%d/%m/%Y à %H:%M UTC",
        reminder_subject: "Rappel : {subject}",
        reminder: "Un rappel : cette invitation attend toujours votre réponse et expire bientôt.",
    },
    Words {
        lang: "es",
        dir: "ltr",
        subject: "Invitación para unirse a {organization}",
        subject_by: "{inviter} le invita a unirse a {organization}",
        invited: "Le invitan a unirse a {organization}.",
        invited_by: "{inviter} le invita a unirse a {organization}.",
        open: "Para aceptar o rechazar la invitación, abra este enlace:",
        open_button: "Aceptar o rechazar la invitación",
        or_copy: "O copie este enlace en su navegador:",
        sent_to: "Esta invitación se envió a {address}. Caduca el {expiry}.",
        unexpected: "Si no esperaba esta invitación, puede ignorar este mensaje: no ocurre nada a menos que la acepte.",
        date: "%d/%m/%Y, %H:%M UTC",
        reminder_subject: "Recordatorio: {subject}",
        reminder: "Un recordatorio: esta invitación sigue esperando su respuesta y caduca pronto.",
    },
    Words {
        lang: "ja",
        dir: "ltr",
        subject: "{organization} への招待",
        subject_by: "{inviter} さんが {organization} に招待しました",
        invited: "{organization} に招待されています。",
        invited_by: "{inviter} さんがあなたを {organization} に招待しました。",
        open: "招待を承諾または辞退するには、次のリンクを開いてください：",
        open_button: "招待を承諾または辞退する",
        or_copy: "または、このリンクをブラウザーにコピーしてください：",
        sent_to: "この招待は {address} 宛てに送信されました。有効期限は {expiry} です。",
        unexpected: "この招待に心当たりがない場合は、このメッセージを無視してください。承諾しない限り何も起こりません。",
        date: "%Y年%-m月%-d日 %H:%M UTC",
        reminder_subject: "リマインダー：{subject}",
        reminder: "リマインダー：この招待はまだ回答を待っており、まもなく期限切れになります。",
    },
    Words {
        lang: "ar",
        dir: "rtl",
        subject: "دعوة للانضمام إلى {organization}",
        subject_by: "دعاك {inviter} للانضمام إلى {organization}",
        invited: "أنت مدعو للانضمام إلى {organization}.",
        invited_by: "دعاك {inviter} للانضمام إلى {organization}.",
        open: "لقبول الدعوة أو رفضها، افتح هذا الرابط:",
        open_button: "قبول الدعوة أو رفضها",
        or_copy: "أو انسخ هذا الرابط إلى متصفحك:",
        sent_to: "أُرسلت هذه الدعوة إلى {address}. تنتهي صلاحيتها في {expiry}.",
        unexpected: "إذا لم تكن تتوقع هذه الدعوة، يمكنك تجاهل هذه الرسالة: لن يحدث شيء ما لم تقبلها.",
        date: "%Y-%m-%d %H:%M UTC",
        reminder_subject: "تذكير: {subject}",
        reminder: "تذكير: ما زالت هذه الدعوة تنتظر ردك، وتنتهي صلاحيتها قريبًا.",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    fn outgoing(locale: &str, inviter: Option<&str>, recipient: &str) -> Outgoing {
        Outgoing {
            seq: 1,
            invitation_id: "orginv_1".into(),
            recipient: recipient.into(),
            attempts: 1,
            expires_at: "2026-12-14T09:30:00Z".parse().unwrap(),
            locale: locale.into(),
            inviter: inviter.map(Into::into),
            token: "0123abcd".repeat(8),
            reminder: false,
        }
    }

    fn letterhead(organization: &str) -> Letterhead {
        Letterhead {
            organization: organization.into(),
            from: "Invitations <invitations@corp.example>".parse().unwrap(),
            link_base: "https://invitations.corp.example".into(),
            dkim: None,
        }
    }

    #[test]
    fn every_language_has_every_sentence() {
        assert_eq!(
            WORDS.map(|words| words.lang),
            org_invitations_core::messages::SHIPPED
        );
        for words in &WORDS {
            assert!(words.subject.contains("{organization}"), "{}", words.lang);
            for template in [words.subject_by, words.invited_by] {
                assert!(template.contains("{inviter}") && template.contains("{organization}"));
            }
            assert!(words.sent_to.contains("{address}") && words.sent_to.contains("{expiry}"));
            assert!(
                words.reminder_subject.contains("{subject}"),
                "{}",
                words.lang
            );
            assert!(!words.reminder.is_empty());
        }
    }

    #[test]
    fn a_reminder_says_so_in_its_subject() {
        let mut reminder = outgoing("en", None, "ada@example.com");
        reminder.reminder = true;
        let made = compose(&letterhead("Acme"), &reminder).unwrap();
        let raw = String::from_utf8_lossy(&made.formatted()).into_owned();
        assert!(
            raw.contains("Subject: Reminder: You are invited to join Acme\r\n"),
            "{raw}"
        );
    }

    #[test]
    fn a_name_or_inviter_with_line_breaks_never_makes_a_header() {
        let made = compose(
            &letterhead("Acme\r\nBcc: victim@evil.example"),
            &outgoing(
                "en",
                Some("mallory@corp.example\r\nX-Injected: yes"),
                "ada@example.com",
            ),
        )
        .unwrap();
        let text = String::from_utf8_lossy(&made.formatted()).into_owned();
        let head = text.split("\r\n\r\n").next().unwrap();
        assert!(!head.lines().any(|line| line.starts_with("Bcc:")), "{head}");
        assert!(
            !head.lines().any(|line| line.starts_with("X-Injected:")),
            "{head}"
        );
        assert!(head.contains("Auto-Submitted: auto-generated"), "{head}");
        assert!(head.contains("Message-ID: <"), "{head}");
        assert!(head.contains("\r\nDate: "), "{head}");
    }

    #[test]
    fn a_unicode_domain_is_sent_to_its_ascii_form() {
        let made = compose(
            &letterhead("Acme"),
            &outgoing("de", None, "ada@bücher.example"),
        )
        .unwrap();
        let to: Vec<String> = made
            .envelope()
            .to()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(to, ["ada@xn--bcher-kva.example"]);
    }

    #[test]
    fn placeholders_in_values_stay_as_they_are() {
        assert_eq!(
            fill(
                "{inviter} invited you to {organization}",
                "{organization}",
                "Acme"
            ),
            "{organization} invited you to Acme"
        );
    }
}
