"""Process set-up shared by every entry point: the one offline-environment block and logging, done once."""

from __future__ import annotations

import logging
import os
import signal
import socket

OFFLINE_ENV = {
    "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
}


def force_offline() -> None:
    """Set before chromadb, gradio or transformers are imported: they read these at import."""
    for key, value in OFFLINE_ENV.items():
        os.environ[key] = value


def free_port() -> int:
    """A free TCP port on the loopback address, for the local servers that tests and benchmarks start."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%Y-%m-%d %H:%M:%S",
    )
    # Libraries that log every HTTP call or weight load drown what an operator needs to read.
    for noisy in ("httpx", "httpcore", "urllib3", "chromadb", "sentence_transformers", "transformers"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def failpoint(name: str) -> None:
    """Crash here, hard, when DIGIHULP_FAILPOINT names this point: the fault tests kill ingest at exact
    steps (mid-embedding, before and after the pointer flip) instead of guessing with timers.
    An environment hook and not a Settings field on purpose: it is never a thing to configure."""
    if os.environ.get("DIGIHULP_FAILPOINT") == name:
        logging.getLogger(__name__).warning("Failpoint %s: killing this process", name)
        os.kill(os.getpid(), signal.SIGKILL)


def cpu_name() -> str:
    """The CPU model, which every benchmark prints next to its figures."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform

    return platform.processor() or platform.machine()
