"""What the web pages use, built once by `create_app` (the web app's composition root) and handed to each page:
the pages get the parts they call, instead of reaching through the Assistant for them."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.auth import AccountStore
from assistant.config import Settings
from assistant.embedding import EmbeddingModel
from assistant.escalation import CoachDirectory
from assistant.freshness import FreshnessMarks
from assistant.gap_board import GapBoard
from assistant.records import EscalationStore
from assistant.service import Assistant
from assistant.startcheck_store import StartResults
from assistant.store import ChromaStore
from assistant.triage import Triage
from assistant.ui.start_content import StartContent
from ingest.corpus_files import add_eval_cases
from ingest.tip_facts import TipShelf


@dataclass(frozen=True)
class Services:
    settings: Settings  # the corpus writer (ingest.corpus_files) and the eval set take their places from it
    assistant: Assistant  # answers, escalations on request
    directory: CoachDirectory  # departments and their coaches
    records: EscalationStore  # escalations, feedback
    accounts: AccountStore  # coach accounts
    embedder: EmbeddingModel  # the app's one model, also for 'Index bijwerken' and 'Batch publiceren'
    store: ChromaStore  # the index the assistant reads, which those two update
    gaps: GapBoard  # knowledge gaps and the agenda (one board: its caches serve every coach)
    tips: TipShelf  # the tips' front matter for the freshness view, the agenda and the chat page
    freshness: FreshnessMarks  # "nagekeken op" on the chat page's cited tips
    triage: Triage  # coach bulk actions; knows which escalations are spam
    start_content: StartContent  # the start check, its tips and the Digistart texts, as /start shows them
    start_results: StartResults  # start-check levels colleagues chose to share with their digicoach

    @classmethod
    def build(cls, assistant: Assistant, accounts: AccountStore | None = None) -> Services:
        """Around one Assistant: the pages share its parts (one model, one database, one coach directory)."""
        settings = assistant.settings
        tips = TipShelf(settings)
        return cls(settings=settings, assistant=assistant, directory=assistant.directory, records=assistant.records,
                   accounts=accounts or AccountStore(settings.accounts_file), embedder=assistant.embedder,
                   store=assistant.store, tips=tips, freshness=FreshnessMarks(tips.tips),
                   gaps=GapBoard(settings, assistant.records, assistant.store, settings.escalation_evals_file,
                                 add_eval_cases),
                   start_content=StartContent(settings.corpus_dir), start_results=StartResults(settings.db_path),
                   triage=Triage(assistant.records))
