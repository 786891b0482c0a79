"""The one typed Settings object. Built in entry points and passed down; never a global."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.answerability import SHIPPED


def _default_model_dir() -> Path:
    # Outside the repo so fresh clones and CI runs on one machine share one installed model.
    return Path.home() / ".cache" / "digihulp" / "embeddinggemma-300m"


class Settings(BaseSettings):
    """digihulp configuration; every field can be set as DIGIHULP_<NAME> in the environment."""

    model_config = SettingsConfigDict(env_prefix="DIGIHULP_", env_file=None, extra="ignore")

    # Locations
    corpus_dir: Path = Field(Path("corpus"), description="Root of the corpus (tips/, handleidingen/, ...).")
    data_dir: Path = Field(Path("data"), description="Index (chroma/), the SQLite database, coach accounts, "
                                                   "session secret and batch backups; git-ignored.")
    model_dir: Path = Field(
        default_factory=_default_model_dir,
        description="The installed embedding model (`make model` installs and repairs it there).",
    )
    embed_dtype: Literal["auto", "bfloat16", "float32"] = Field(
        "auto",
        description="Compute dtype of the embedder: auto (bfloat16 only where the CPU has native bf16), "
        "bfloat16 or float32. Never float16.",
    )
    escalation_evals: Path | None = Field(
        None, description="The eval set that answered escalations grow (JSONL): 'Van antwoord naar tip' appends to "
        "it, the tip-batch gate reads it. Default: evals/escalations.jsonl in the data dir; never inside the "
        "install tree, which the service must not write to.",
    )
    coaches_path: Path | None = Field(
        None, description="The coach directory (YAML); default: coaches.yaml in the corpus root."
    )
    referrals_path: Path | None = Field(
        None, description="The referral list (YAML) the coordinator keeps next to coaches.yaml: questions about leave, "
        "pay, the building, ... get a pointer to the service that helps. Default: referrals.yaml in the corpus root; "
        "no file = no referrals.",
    )
    embed_threads: int = Field(
        0,
        description="Torch threads for embedding. 0 = automatic: 1 in the web app and `ask` (many short "
        "questions at once), all cores for ingest (one long batch).",
    )
    chroma_url: str = Field("", description="Chroma server URL (http://host:port); empty = embedded on disk.")

    # Ingest limits
    max_file_mb: float = Field(20.0, description="Files larger than this are refused at ingest.")
    max_pdf_pages: int = Field(400, description="PDFs with more pages are refused (PDF bombs).")
    chunk_words: int = Field(180, description="Target chunk size in words for long sections.")
    chunk_overlap_words: int = Field(30, description="Overlap in words between split chunks.")
    embed_batch_size: int = Field(16, description="Passages per embedding batch.")

    # Retrieval
    top_k: int = Field(5, description="Documents returned after fusion and per-document dedupe.")
    candidates: int = Field(40, description="Chunks fetched from each retriever before fusion.")
    max_chunks_per_doc: int = Field(2, description="At most this many chunks of one document in the result.")
    bm25_weight: float = Field(
        0.0, description="BM25 boost in score fusion (0 = dense ranking only; see README for the measurements)."
    )

    # Answers and escalation
    confidence_threshold: float = Field(
        SHIPPED.escalate_below, description="Below this answerability score a question goes to the coach "
        "(fit by cross-validation on the eval sets: benchmarks/answerability.py, README 'Answerability').",
    )
    unsure_threshold: float = Field(
        SHIPPED.answer_from, description="Below this score (and above confidence_threshold) the answer is shown "
        "under 'Ik ben niet zeker dat dit je vraag beantwoordt', with the coach one click away.",
    )
    quantity_check: Literal["off", "unsure", "escalate"] = Field(
        "escalate", description="A question that asks for a number, limit or duration ('hoeveel', 'hoe lang', "
        "'max') whose shown answer states none goes at least to this band: unsure ('niet zeker'), escalate (the "
        "coach), or off (the score alone decides). Measured in README 'Answerability'.",
    )
    passage_selector: str = Field(
        "meaning", description="How the quoted passage is chosen: meaning (windows embedded at ingest, scored "
        "with the question's vector) or words (shared words; the selector before windows, kept for comparison).",
    )
    referral_margin: float = Field(
        0.0, description="A question is referred when it lies at least this much closer (cosine) to a referral than "
        "to the best passage of the corpus (measured on the eval sets, see README 'Referrals').",
    )
    referral_min_similarity: float = Field(
        0.45, description="... and at least this close (cosine) to the referral's nearest passage (one example or "
        "topic); below it the question stays with the corpus and the coach. Lower floors refer more off-topic "
        "questions but also digicoach ones (README 'Referrals').",
    )
    max_question_chars: int = Field(1000, description="Longer questions are trimmed to this length.")
    llm_url: str = Field("", description="OpenAI-compatible server base URL (…/v1); empty = extractive only.")
    llm_model: str = Field("", description="Model name to request from the LLM server.")
    llm_api_key: str = Field("", description="API key for the LLM server, if it needs one.")
    llm_timeout_s: float = Field(20.0, description="Timeout for one LLM request; no retries.")

    # A coach's queue cannot be flooded (answers are never limited; only new escalations are)
    escalation_window_minutes: float = Field(
        10.0, description="The short window of the escalation limits, in minutes."
    )
    escalations_per_window: int = Field(
        5, description="New escalations one browser may make within the short window (a client without the "
        "browser cookie counts per address); 0 = no limit.",
    )
    escalations_per_day: int = Field(20, description="New escalations one browser may make per 24 hours; 0 = no limit.")
    escalations_per_address_window: int = Field(
        30, description="New escalations from one client address (all its browsers) within the short window; "
        "higher than per browser, because colleagues behind one proxy share an address. 0 = no limit.",
    )
    escalations_per_address_day: int = Field(
        150, description="New escalations from one client address per 24 hours; 0 = no limit."
    )
    merge_duplicates: bool = Field(
        True, description="Merge a question into the open escalation it repeats instead of making a new one."
    )
    duplicate_similarity: float = Field(
        0.84, description="A question whose embedding has at least this cosine similarity to an open escalation "
        "(same browser, or same department within duplicate_hours) is merged into it as 'nog eens gevraagd'; "
        "measured on paraphrase pairs (benchmarks/duplicates.py, README). Above 1 = only near-identical text.",
    )
    duplicate_hours: float = Field(
        24.0, description="How long an open escalation catches the same question from others in its department."
    )
    mail_throttle_minutes: float = Field(
        15.0, description="At most one new-escalation mail per coach per this many minutes; what comes in "
        "meanwhile goes out as one digest when the time is up. 0 = a mail per escalation.",
    )

    # E-mail to coaches (off when smtp_host is empty)
    smtp_host: str = Field("", description="SMTP server for escalation mails; empty = no mail.")
    smtp_port: int = Field(25, description="SMTP port.")
    smtp_from: str = Field("digihulp@localhost", description="Sender address of escalation mails.")
    smtp_user: str = Field("", description="SMTP user name, if the server needs a login.")
    smtp_password: str = Field("", description="SMTP password.")
    smtp_starttls: bool = Field(False, description="Use STARTTLS.")
    public_url: str = Field(
        "", description="The address colleagues open digihulp on (https://digihulp.waregem.example), for the link "
        "to their question in the mail that tells them it was answered; empty = no link, only 'Mijn vragen'.",
    )

    # Web app
    host: str = Field("127.0.0.1", description="Address the web app listens on.")
    port: int = Field(7860, description="Port the web app listens on.")
    concurrency_limit: int = Field(
        8, description="Requests handled at the same time per page (Gradio queue); embedding itself is bounded "
        "by query_workers, so waiting questions can share one embedding pass.",
    )
    session_hours: float = Field(8.0, description="Coach sessions expire after this many hours; they are kept in "
                                 "the SQLite database, so an app restart does not log coaches out.")
    trusted_proxies: str = Field(
        "", description="Reverse proxies (IP addresses or networks, comma separated) whose X-Forwarded-For and "
        "X-Forwarded-Proto headers are believed. Empty = none: the peer address is the client, and behind a "
        "proxy every colleague then shares the proxy's address for login backoff.",
    )
    login_free_attempts: int = Field(
        5, description="Wrong passwords from one client (address) before each further attempt waits "
        "(2, 4, 8, ... seconds); accounts are never locked, so nobody can lock a coach out.",
    )
    login_max_wait_s: float = Field(300.0, description="The longest wait between login attempts of one client.")
    query_workers: int = Field(
        0, description="Threads that embed questions; concurrent questions are embedded together in one pass. "
        "0 = one per CPU core, -1 = off (each request embeds its own question).",
    )
    chat_sessions_kept: int = Field(
        500, description="Chat page sessions whose state (last answer) stays in memory; the oldest go first. "
        "Gradio keeps 10,000 by default, ~33 kB each: memory grew by 36 MB in a 10-minute soak.",
    )
    query_batch_max: int = Field(8, description="At most this many waiting questions go into one embedding pass.")

    # What the coaches learn from the questions (gap board, tip freshness, meeting agenda)
    review_interval_days: int = Field(
        365, description="A tip is due for review this many days after `reviewed` (or `created`), unless its app "
        "has its own interval in review_interval_by_app or the tip sets `review_days` in its front matter.",
    )
    review_interval_by_app: dict[str, int] = Field(
        default_factory=dict, description='Review interval in days per app, as JSON, e.g. {"OneDrive": 120, '
        '"Teams": 180}; app names compare case-insensitively.',
    )
    citation_window_days: int = Field(90, description="The freshness view counts citations over this many days.")
    gap_distance: float = Field(
        0.45, description="Questions closer than this cosine distance (average linkage) form one knowledge gap; "
        "chosen on evals/datasets/clusters/gaps-clusters.jsonl (see benchmarks/clustering.py).",
    )
    gap_weak_tip_similarity: float = Field(
        0.55, description="A gap whose nearest tip is at least this similar (question to tip passage) needs a "
        "better tip ('zwakke tip'); below it a tip is missing ('ontbrekende tip').",
    )
    gap_min_questions: int = Field(2, description="A knowledge-gap card needs at least this many questions.")
    meeting_every_days: int = Field(21, description="The digicoach meeting is held every this many days.")
    next_meeting: str = Field(
        "", description="Date of the next digicoach meeting (YYYY-MM-DD); empty = the last meeting note in "
        "overleg/ plus meeting_every_days.",
    )
    answer_within_days: int = Field(
        3, description="Escalations still open after this many days are listed on the meeting agenda.",
    )

    log_level: str = Field("INFO", description="Logging level for entry points.")

    # Derived paths (not settings of their own)
    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "digihulp.sqlite3"

    @property
    def coaches_file(self) -> Path:
        return self.coaches_path or self.corpus_dir / "coaches.yaml"

    @property
    def referrals_file(self) -> Path:
        return self.referrals_path or self.corpus_dir / "referrals.yaml"

    @property
    def escalation_evals_file(self) -> Path:
        return self.escalation_evals or self.data_dir / "evals" / "escalations.jsonl"

    @property
    def accounts_file(self) -> Path:
        return self.data_dir / "coach_accounts.json"
