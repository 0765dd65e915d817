"""SPEC §13 beside §11: the incoming-call webhook of a bilingual line (LANGUAGES=cy,en) against
the English-only line, both under gunicorn ×2 as the Procfile runs them, in the same run.

Reuses bench/webhooks.py: the same signed new-call requests, wrk rounds alternating between the
two servers (so a busy moment of the shared machine weighs on both), CPU per request from /proc.
The ratio is bilingual / English-only req/s, the median of the rounds' ratios; about 1.0 means
the bilingual opening (a fixed TwiML document, rendered once per process) costs nothing extra.
"""

from __future__ import annotations

import http.client
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.db import upgrade  # noqa: E402
from bench.common import bench_run, free_port, gunicorn, scratch_postgres  # noqa: E402
from bench.webhooks import (  # noqa: E402
    APP_WORKERS,
    ROUND_S,
    ROUNDS,
    TOKEN,
    measured_round,
    signed_requests,
    warm_up,
    wrk_script,
)


def wait_until_answering(port: int, pairs: list[tuple[str, str]], seconds: float = 180) -> None:
    """One request at a time until both workers have booted (slow on a loaded machine)."""
    deadline = time.monotonic() + seconds
    for body, signature in pairs:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            headers = {"X-Twilio-Signature": signature, "Content-Type": FORM}
            conn.request("POST", "/twilio/voice", body=body, headers=headers)
            if conn.getresponse().status == 200:
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def _line(base_env: dict[str, str], languages: str) -> tuple[int, dict[str, str]]:
    port = free_port()
    env = {**base_env, "LANGUAGES": languages, "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"}
    return port, env


FORM = "application/x-www-form-urlencoded"


def main(figures: dict[str, object]) -> None:
    """Both lines side by side; alternate wrk rounds; print req/s, CPU and the ratio."""
    with scratch_postgres() as db_url:
        upgrade(db_url)
        base_env = {
            "DATABASE_URL": db_url,
            "TWILIO_AUTH_TOKEN": TOKEN,
            "OPENING_HOURS": "00:00-24:00",
            "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
        }
        en_port, en_env = _line(base_env, "en")
        cy_port, cy_env = _line(base_env, "cy,en")
        per_round = 4000 * ROUND_S
        en_pairs = signed_requests(en_env["PUBLIC_BASE_URL"], per_round * ROUNDS + 100)
        cy_pairs = signed_requests(cy_env["PUBLIC_BASE_URL"], per_round * ROUNDS + 100)
        with (
            gunicorn("wsgi:app", en_env, port=en_port, extra=APP_WORKERS),
            gunicorn("wsgi:app", cy_env, port=cy_port, extra=APP_WORKERS),
        ):
            for port, pairs in ((en_port, en_pairs), (cy_port, cy_pairs)):
                for _ in range(4):  # reach both workers, most likely
                    wait_until_answering(port, pairs[-200:-100])
                warm_up(port, pairs[-100:])
            rounds = []
            for n in range(ROUNDS):
                window = slice(n * per_round, (n + 1) * per_round)
                english = measured_round(en_port, wrk_script(en_pairs[window]), ROUND_S)
                bilingual = measured_round(cy_port, wrk_script(cy_pairs[window]), ROUND_S)
                rounds.append((english, bilingual))
                print(
                    f"  round {n + 1}: English-only {english['rps']:6.0f} req/s "
                    f"{english['server_cpu_us']:4.0f} µs, bilingual {bilingual['rps']:6.0f} "
                    f"req/s {bilingual['server_cpu_us']:4.0f} µs ({bilingual['errors']:.0f} "
                    f"errors), ratio {bilingual['rps'] / english['rps']:.2f}"
                )
    ratios = sorted(cy["rps"] / en["rps"] for en, cy in rounds)
    en_cpu = statistics.median(en["server_cpu_us"] for en, _ in rounds)
    cy_cpu = statistics.median(cy["server_cpu_us"] for _, cy in rounds)
    figures.update(ratio=statistics.median(ratios), english_cpu_us=en_cpu, bilingual_cpu_us=cy_cpu)
    print(f"English-only webhook : {statistics.median(en['rps'] for en, _ in rounds):8.0f} req/s")
    print(f"bilingual webhook    : {statistics.median(cy['rps'] for _, cy in rounds):8.0f} req/s")
    print(
        f"throughput ratio     : {statistics.median(ratios):.2f} median bilingual / English-only "
        f"(range {ratios[0]:.2f}-{ratios[-1]:.2f})"
    )
    print(f"server CPU / request : English-only {en_cpu:.0f} µs, bilingual {cy_cpu:.0f} µs")


if __name__ == "__main__":
    with bench_run("languages") as figures:
        main(figures)
