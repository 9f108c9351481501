//! The invitee's page, server-rendered: a few kilobytes of HTML (maud escapes every text), no
//! script, no WebAssembly, no style but the browser's, in the invitation's language (right to
//! left in Arabic). Its only form posts back to the same link.

use chrono::{DateTime, Utc};
use maud::{DOCTYPE, Markup, html};

/// What the page says.
pub enum Shown<'a> {
    /// The invitation, with Accept and Decline.
    Question {
        organization: &'a str,
        inviter: Option<&'a str>,
        address: &'a str,
        expires_at: DateTime<Utc>,
        form_token: &'a str,
    },
    Accepted(&'a str),
    /// Accepted, with a button that posts the signed `ticket` on to the host application.
    AcceptedGoOn {
        organization: &'a str,
        to: &'a str,
        ticket: &'a str,
    },
    Declined,
    AlreadyAccepted,
    AlreadyDeclined,
    Expired {
        expires_at: DateTime<Utc>,
        whom: &'a str,
    },
    Withdrawn {
        whom: &'a str,
    },
    Replaced {
        whom: &'a str,
    },
    Unknown,
    TooMany,
    /// A form that did not come from this page.
    Refused,
}

/// The page for `shown`, in `locale` (English for any the console does not speak).
pub fn render(locale: &str, shown: &Shown<'_>) -> String {
    let words = Words::of(locale);
    let body: Markup = match shown {
        Shown::Question {
            organization,
            inviter,
            address,
            expires_at,
            form_token,
        } => {
            let invited = match inviter {
                Some(inviter) => words.invited_by.replace("{inviter}", inviter),
                None => words.invited.to_owned(),
            }
            .replace("{organization}", organization);
            let sent_to = words
                .sent_to
                .replace("{address}", address)
                .replace("{expiry}", &expires_at.format(words.date).to_string());
            html! {
                h1 { (invited) }
                p { (sent_to) }
                form method="post" {
                    input type="hidden" name="form" value=(form_token);
                    button type="submit" name="answer" value="accept" { (words.accept) }
                    " "
                    button type="submit" name="answer" value="decline" { (words.decline) }
                }
                p { (words.unexpected) }
            }
        }
        Shown::Accepted(organization) => {
            html! { h1 { (words.accepted.replace("{organization}", organization)) } }
        }
        Shown::AcceptedGoOn {
            organization,
            to,
            ticket,
        } => html! {
            h1 { (words.accepted.replace("{organization}", organization)) }
            form method="post" action=(to) {
                input type="hidden" name="ticket" value=(ticket);
                button type="submit" { (words.go_on.replace("{organization}", organization)) }
            }
        },
        Shown::Declined => html! { h1 { (words.declined) } },
        Shown::AlreadyAccepted => html! { h1 { (words.already_accepted) } },
        Shown::AlreadyDeclined => html! { h1 { (words.already_declined) } },
        Shown::Expired { expires_at, whom } => html! {
            h1 { (words.expired.replace("{expiry}", &expires_at.format(words.date).to_string())) }
            p { (words.ask.replace("{whom}", whom)) }
        },
        Shown::Withdrawn { whom } => html! {
            h1 { (words.withdrawn) }
            p { (words.ask.replace("{whom}", whom)) }
        },
        Shown::Replaced { whom } => html! {
            h1 { (words.replaced) }
            p { (words.ask.replace("{whom}", whom)) }
        },
        Shown::Unknown => html! { h1 { (words.unknown) } },
        Shown::TooMany => html! { h1 { (words.too_many) } },
        Shown::Refused => html! { h1 { (words.refused) } },
    };
    html! {
        (DOCTYPE)
        html lang=(words.lang) dir=(words.dir) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { (words.title) }
            }
            body {
                main { (body) }
            }
        }
    }
    .into_string()
}

/// The page's words in one language.
struct Words {
    lang: &'static str,
    dir: &'static str,
    date: &'static str,
    title: &'static str,
    invited: &'static str,
    invited_by: &'static str,
    sent_to: &'static str,
    accept: &'static str,
    decline: &'static str,
    unexpected: &'static str,
    accepted: &'static str,
    /// The button that goes on to the host application (`--accept-redirect`).
    go_on: &'static str,
    declined: &'static str,
    already_accepted: &'static str,
    already_declined: &'static str,
    expired: &'static str,
    withdrawn: &'static str,
    replaced: &'static str,
    ask: &'static str,
    unknown: &'static str,
    too_many: &'static str,
    refused: &'static str,
}

impl Words {
    fn of(locale: &str) -> &'static Words {
        WORDS
            .iter()
            .find(|words| words.lang == locale)
            .unwrap_or(&WORDS[0])
    }
}

const WORDS: [Words; 6] = [
    Words {
        lang: "en",
        dir: "ltr",
        date: "%A %-d %B %Y, %H:%M UTC",
        title: "Invitation",
        invited: "You are invited to join {organization}",
        invited_by: "{inviter} invited you to join {organization}",
        sent_to: "This invitation is for {address}. It expires on {expiry}.",
        accept: "Accept",
        decline: "Decline",
        unexpected: "If you did not expect this invitation, decline it or close this page: nothing happens unless you accept.",
        accepted: "You accepted the invitation to {organization}.",
        go_on: "Continue to {organization}",
        declined: "You declined the invitation. Nothing else happens.",
        already_accepted: "This invitation was already accepted.",
        already_declined: "This invitation was already declined.",
        expired: "This invitation expired on {expiry}.",
        withdrawn: "This invitation was withdrawn.",
        replaced: "A newer invitation replaced this one: use the link in the newest mail.",
        ask: "Ask {whom} for a new invitation if you still want to join.",
        unknown: "This link is not valid. Check that it was copied whole, or ask whoever invited you for a new invitation.",
        too_many: "Too many tries from here. Wait a few minutes, then open the link again.",
        refused: "This answer did not come from this page. Open the link from the mail and answer there.",
    },
    Words {
        lang: "de",
        dir: "ltr",
        date: "%d.%m.%Y, %H:%M UTC",
        title: "Einladung",
        invited: "Sie sind eingeladen, {organization} beizutreten",
        invited_by: "{inviter} hat Sie eingeladen, {organization} beizutreten",
        sent_to: "Diese Einladung gilt für {address}. Sie läuft am {expiry} ab.",
        accept: "Annehmen",
        decline: "Ablehnen",
        unexpected: "Wenn Sie diese Einladung nicht erwartet haben, lehnen Sie sie ab oder schließen Sie diese Seite: Ohne Ihre Zustimmung geschieht nichts.",
        accepted: "Sie haben die Einladung zu {organization} angenommen.",
        go_on: "Weiter zu {organization}",
        declined: "Sie haben die Einladung abgelehnt. Sonst geschieht nichts.",
        already_accepted: "Diese Einladung wurde bereits angenommen.",
        already_declined: "Diese Einladung wurde bereits abgelehnt.",
        expired: "Diese Einladung ist am {expiry} abgelaufen.",
        withdrawn: "Diese Einladung wurde zurückgezogen.",
        replaced: "Eine neuere Einladung hat diese ersetzt: Verwenden Sie den Link aus der neuesten E-Mail.",
        ask: "Bitten Sie {whom} um eine neue Einladung, wenn Sie weiterhin beitreten möchten.",
        unknown: "Dieser Link ist nicht gültig. Prüfen Sie, ob er vollständig kopiert wurde, oder bitten Sie die einladende Person um eine neue Einladung.",
        too_many: "Zu viele Versuche von hier. Warten Sie einige Minuten und öffnen Sie den Link dann erneut.",
        refused: "Diese Antwort kam nicht von dieser Seite. Öffnen Sie den Link aus der E-Mail und antworten Sie dort.",
    },
    Words {
        lang: "fr",
        dir: "ltr",
        date: "%d/%m/%Y à %H:%M UTC",
        title: "Invitation",
        invited: "Vous êtes invité à rejoindre {organization}",
        invited_by: "{inviter} vous invite à rejoindre {organization}",
        sent_to: "Cette invitation est destinée à {address}. Elle expire le {expiry}.",
        accept: "Accepter",
        decline: "Refuser",
        unexpected: "Si vous n’attendiez pas cette invitation, refusez-la ou fermez cette page : rien ne se passe sans votre accord.",
        accepted: "Vous avez accepté l’invitation à rejoindre {organization}.",
        go_on: "Continuer vers {organization}",
        declined: "Vous avez refusé l’invitation. Rien d’autre ne se passe.",
        already_accepted: "Cette invitation a déjà été acceptée.",
        already_declined: "Cette invitation a déjà été refusée.",
        expired: "Cette invitation a expiré le {expiry}.",
        withdrawn: "Cette invitation a été retirée.",
        replaced: "Une invitation plus récente a remplacé celle-ci : utilisez le lien du dernier message.",
        ask: "Demandez une nouvelle invitation à {whom} si vous souhaitez toujours la rejoindre.",
        unknown: "Ce lien n’est pas valide. Vérifiez qu’il a été copié en entier, ou demandez une nouvelle invitation à la personne qui vous a invité.",
        too_many: "Trop de tentatives depuis cet endroit. Patientez quelques minutes, puis rouvrez le lien.",
        refused: "Cette réponse ne vient pas de cette page. Ouvrez le lien du message et répondez-y.",
    },
    Words {
        lang: "es",
        dir: "ltr",
        date: "%d/%m/%Y, %H:%M UTC",
        title: "Invitación",
        invited: "Le invitan a unirse a {organization}",
        invited_by: "{inviter} le invita a unirse a {organization}",
        sent_to: "Esta invitación es para {address}. Caduca el {expiry}.",
        accept: "Aceptar",
        decline: "Rechazar",
        unexpected: "Si no esperaba esta invitación, rechácela o cierre esta página: no ocurre nada a menos que la acepte.",
        accepted: "Ha aceptado la invitación para unirse a {organization}.",
        go_on: "Continuar a {organization}",
        declined: "Ha rechazado la invitación. No ocurre nada más.",
        already_accepted: "Esta invitación ya fue aceptada.",
        already_declined: "Esta invitación ya fue rechazada.",
        expired: "Esta invitación caducó el {expiry}.",
        withdrawn: "Esta invitación fue retirada.",
        replaced: "Una invitación más reciente sustituyó a esta: use el enlace del correo más reciente.",
        ask: "Pida a {whom} una nueva invitación si todavía quiere unirse.",
        unknown: "Este enlace no es válido. Compruebe que se copió completo o pida una nueva invitación a quien le invitó.",
        too_many: "Demasiados intentos desde aquí. Espere unos minutos y vuelva a abrir el enlace.",
        refused: "Esta respuesta no vino de esta página. Abra el enlace del correo y responda allí.",
    },
    Words {
        lang: "ja",
        dir: "ltr",
        date: "%Y年%-m月%-d日 %H:%M UTC",
        title: "招待",
        invited: "{organization} に招待されています",
        invited_by: "{inviter} さんがあなたを {organization} に招待しました",
        sent_to: "この招待は {address} 宛てです。有効期限は {expiry} です。",
        accept: "承諾する",
        decline: "辞退する",
        unexpected: "この招待に心当たりがない場合は、辞退するかこのページを閉じてください。承諾しない限り何も起こりません。",
        accepted: "{organization} への招待を承諾しました。",
        go_on: "{organization} へ進む",
        declined: "招待を辞退しました。ほかには何も起こりません。",
        already_accepted: "この招待はすでに承諾されています。",
        already_declined: "この招待はすでに辞退されています。",
        expired: "この招待は {expiry} に期限切れになりました。",
        withdrawn: "この招待は取り消されました。",
        replaced: "より新しい招待がこれに代わりました。最新のメールのリンクを使ってください。",
        ask: "参加を希望する場合は、{whom} に新しい招待を依頼してください。",
        unknown: "このリンクは無効です。全体がコピーされているか確認するか、招待した人に新しい招待を依頼してください。",
        too_many: "ここからの試行が多すぎます。数分待ってから、もう一度リンクを開いてください。",
        refused: "この回答はこのページから送られたものではありません。メールのリンクを開いて、そこで回答してください。",
    },
    Words {
        lang: "ar",
        dir: "rtl",
        date: "%Y-%m-%d %H:%M UTC",
        title: "دعوة",
        invited: "أنت مدعو للانضمام إلى {organization}",
        invited_by: "دعاك {inviter} للانضمام إلى {organization}",
        sent_to: "هذه الدعوة موجهة إلى {address}. تنتهي صلاحيتها في {expiry}.",
        accept: "قبول",
        decline: "رفض",
        unexpected: "إذا لم تكن تتوقع هذه الدعوة، فارفضها أو أغلق هذه الصفحة: لن يحدث شيء ما لم تقبلها.",
        accepted: "لقد قبلت الدعوة للانضمام إلى {organization}.",
        go_on: "المتابعة إلى {organization}",
        declined: "لقد رفضت الدعوة. لن يحدث شيء آخر.",
        already_accepted: "سبق قبول هذه الدعوة.",
        already_declined: "سبق رفض هذه الدعوة.",
        expired: "انتهت صلاحية هذه الدعوة في {expiry}.",
        withdrawn: "سُحبت هذه الدعوة.",
        replaced: "حلّت دعوة أحدث محل هذه الدعوة: استخدم الرابط الموجود في أحدث رسالة.",
        ask: "اطلب من {whom} دعوة جديدة إذا كنت لا تزال ترغب في الانضمام.",
        unknown: "هذا الرابط غير صالح. تأكد من نسخه كاملًا، أو اطلب دعوة جديدة ممن دعاك.",
        too_many: "محاولات كثيرة جدًا من هنا. انتظر بضع دقائق، ثم افتح الرابط مرة أخرى.",
        refused: "لم يأتِ هذا الرد من هذه الصفحة. افتح الرابط من الرسالة وأجب هناك.",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_page_and_escapes_what_it_shows() {
        assert_eq!(
            WORDS.map(|words| words.lang),
            org_invitations_core::messages::SHIPPED
        );
        let page = render(
            "ar",
            &Shown::Question {
                organization: "<script>alert(1)</script>",
                inviter: Some("mallory@corp.example"),
                address: "ada@example.com",
                expires_at: "2026-12-14T09:30:00Z".parse().unwrap(),
                form_token: "f0",
            },
        );
        assert!(page.contains("dir=\"rtl\"") && page.contains("lang=\"ar\""));
        assert!(!page.contains("<script>"), "{page}");
        assert!(page.contains("&lt;script&gt;"), "{page}");
        assert!(page.len() < 4096, "a few kilobytes: {}", page.len());
    }
}
