"""Mail, with the SMTP settings of Settings: a new question to its coach, and the coach's answer (or closing
note) to the colleague who left an e-mail address. A mail that cannot be sent is logged, never raised: the
question and the answer are already stored, and the colleague also sees them in digihulp."""

from __future__ import annotations

import logging
import re
import smtplib
from email.message import EmailMessage
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.types import Escalation

logger = logging.getLogger(__name__)

# One address, nothing around it: what a colleague types in "E-mail of telefoon".
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def mail_address(contact: str) -> str:
    """The e-mail address in what a colleague left as contact ("" for a phone number or anything else)."""
    text = (contact or "").strip()
    return text if len(text) <= 254 and _ADDRESS.fullmatch(text) else ""


class Mailer:
    """Sends digihulp's mails over one SMTP server."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        user: str = "",
        password: str = "",
        starttls: bool = False,
        timeout: float = 10,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.user, self.password = user, password
        self.starttls, self.timeout = starttls, timeout

    @classmethod
    def from_settings(cls, settings: Settings) -> Mailer | None:
        if not settings.smtp_host.strip():
            return None
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_from,
            user=settings.smtp_user,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
        )

    def message(self, to: str, subject: str, body: str) -> EmailMessage:
        msg = EmailMessage()
        msg["Subject"] = subject
        msg["From"] = self.sender
        msg["To"] = to
        msg.set_content(body)
        return msg

    def build_message(self, escalation: Escalation) -> EmailMessage:
        return self.message(escalation.coach_email, f"Nieuwe vraag voor de digicoach (#{escalation.id})",
                            escalation_body(escalation))

    def send(self, msg: EmailMessage, what: str) -> bool:
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.user:
                    smtp.login(self.user, self.password)
                smtp.send_message(msg)
        except Exception as exc:  # what the mail tells is already stored; a mail failure must not lose it
            logger.warning("mail for %s to %s failed: %s", what, msg["To"], exc)
            return False
        logger.info("mail for %s sent to %s", what, msg["To"])
        return True

    def send_escalation(self, escalation: Escalation) -> bool:
        if not escalation.coach_email:
            logger.warning("escalation #%s has no coach e-mail; no mail sent", escalation.id)
            return False
        return self.send(self.build_message(escalation), f"escalation #{escalation.id}")

    def send_outcome(self, escalation: Escalation, link: str = "") -> bool:
        """Tell the colleague the coach answered (or closed) their question; only to an e-mail address they left."""
        to = mail_address(escalation.asker_contact)
        if not to or escalation.status == "open":
            return False
        subject = (f"Je digicoach heeft je vraag beantwoord (vraag #{escalation.id})" if escalation.status == "answered"
                   else f"Je vraag aan de digicoach is afgesloten (vraag #{escalation.id})")
        return self.send(self.message(to, subject, outcome_body(escalation, link)), f"outcome of #{escalation.id}")


def escalation_body(escalation: Escalation) -> str:
    """Plain-text mail body in Dutch for the coach."""
    first = escalation.coach_name.split()[0] if escalation.coach_name.strip() else ""
    lines = [
        f"Dag {first}," if first else "Dag,",
        "",
        "digihulp kon deze vraag niet met zekerheid beantwoorden:",
        "",
        f"  {escalation.question}",
        "",
        f"Dienst: {escalation.department or 'onbekend'}",
        f"Zekerheid: {escalation.confidence:.0%}",
    ]
    if escalation.asker_name or escalation.asker_contact:
        lines.append(f"Gesteld door: {' – '.join(x for x in (escalation.asker_name, escalation.asker_contact) if x)}")
    lines += ["", "Gevonden bronnen:"]
    for i, src in enumerate(escalation.sources, start=1):
        title = src.get("title") or src.get("source") or "?"
        where = f" ({src['source']})" if src.get("source") and src.get("source") != title else ""
        lines.append(f"  [{src.get('n', i)}] {title}{where}")
    if not escalation.sources:
        lines.append("  (geen)")
    lines += ["", "Ontwerp van antwoord:", "", escalation.draft_answer or "(geen)", ""]
    lines.append(f"Beantwoord de vraag in digihulp (vraag #{escalation.id}).")
    return "\n".join(lines) + "\n"


def outcome_body(escalation: Escalation, link: str = "") -> str:
    """Plain-text mail in Dutch for the colleague: their question and what the coach said."""
    first = escalation.asker_name.split()[0] if escalation.asker_name.strip() else ""
    if escalation.status == "answered":
        said = [f"{escalation.answered_by or escalation.coach_name} antwoordde:", "", escalation.answer]
    else:
        who = escalation.coach_name
        said = [f"{who} heeft je vraag afgesloten" + (":" if escalation.close_note else "."), ""]
        said += [escalation.close_note] if escalation.close_note else []
    lines = [f"Dag {first}," if first else "Dag,", "", "Je stelde deze vraag aan je digicoach:", "",
             f"  {escalation.question}", "", *said, ""]
    if link:
        lines += ["Je vindt je vraag en het antwoord ook terug in digihulp:", link, ""]
    else:
        lines += ["Je vindt je vraag en het antwoord ook terug in digihulp, onder 'Mijn vragen'.", ""]
    lines += ["Is er nog iets niet duidelijk? Antwoord niet op deze mail, maar stel je vraag opnieuw in digihulp of "
              "contacteer je digicoach.", "", "Dit is een automatisch bericht van digihulp."]
    return "\n".join(lines) + "\n"
