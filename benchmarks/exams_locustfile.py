"""Locust scenario for benchmarks/exams_autosave.py: workers sitting an exam on their phones.

Each simulated worker signs in with a prepared session, starts (or resumes)
its attempt, autosaves one answer after each think time, and submits at a
random moment within the last 10 seconds of the run. Every acknowledged save
is written to EXAMS_BENCH_ACKS (JSON lines) for the database check that follows.

Environment: EXAMS_BENCH_SESSIONS (JSON file of sessions), EXAMS_BENCH_ACKS,
EXAMS_THINK_MIN / EXAMS_THINK_MAX (seconds), EXAMS_RUN_SECONDS (when the
submit window closes, from the first user's start).
"""

import itertools
import json
import os
import random
import time
from pathlib import Path

import gevent
from locust import HttpUser, events, task
from locust.exception import StopUser

SESSIONS = json.loads(Path(os.environ["EXAMS_BENCH_SESSIONS"]).read_text(encoding="utf-8"))
ACKS_PATH = os.environ["EXAMS_BENCH_ACKS"]
THINK_MIN = float(os.environ.get("EXAMS_THINK_MIN", "10"))
THINK_MAX = float(os.environ.get("EXAMS_THINK_MAX", "30"))
RUN_SECONDS = float(os.environ.get("EXAMS_RUN_SECONDS", "150"))
SUBMIT_WINDOW = 10.0

_next = itertools.count()
_acks: list[dict] = []
_t0: list[float] = []


@events.test_stop.add_listener
def _write_acks(environment, **kwargs):
    with open(ACKS_PATH, "w", encoding="utf-8") as out:
        for ack in _acks:
            out.write(json.dumps(ack) + "\n")


class ExamWorker(HttpUser):
    # Think time is handled in the task so the submit moment can cut it short.
    wait_time = staticmethod(lambda: 0)

    def on_start(self):
        if not _t0:
            _t0.append(time.monotonic())
        index = next(_next)
        if index >= len(SESSIONS):
            raise StopUser
        me = SESSIONS[index]
        self.client.cookies.set("sessionid", me["session"])
        self.client.cookies.set("csrftoken", me["csrf"])
        self.headers = {"X-CSRFToken": me["csrf"], "Content-Type": "application/json"}
        response = self.client.post(
            f"/api/v1/exam/exams/{me['exam']}/attempts", headers=self.headers, name="start"
        )
        data = response.json()
        self.attempt = data["id"]
        self.positions = [q["position"] for q in data["questions"]]
        self.keys = {q["position"]: [c["key"] for c in q["choices"]] for q in data["questions"]}
        self.seq = data.get("last_seq", 0)
        window_end = _t0[0] + RUN_SECONDS
        self.submit_at = window_end - random.uniform(0, SUBMIT_WINDOW)

    @task
    def sit(self):
        while True:
            pause = random.uniform(THINK_MIN, THINK_MAX)
            if time.monotonic() + pause >= self.submit_at:
                gevent.sleep(max(0.0, self.submit_at - time.monotonic()))
                break
            gevent.sleep(pause)
            self.save()
        self.submit()
        raise StopUser

    def save(self):
        position = random.choice(self.positions)
        selected = [random.choice(self.keys[position])]
        self.seq += 1
        with self.client.put(
            f"/api/v1/exam/attempts/{self.attempt}/answers/{position}",
            data=json.dumps({"selected": selected, "seq": self.seq}),
            headers=self.headers,
            name="save",
            catch_response=True,
        ) as response:
            if response.status_code == 200 and response.json().get("applied"):
                _acks.append(
                    {
                        "attempt": self.attempt,
                        "position": position,
                        "seq": self.seq,
                        "selected": selected,
                    }
                )
                response.success()
            else:
                response.failure(f"save {response.status_code}")

    def submit(self):
        # Submitting is idempotent, so a phone retries it once when the connection
        # dropped before any answer (status 0: a keep-alive socket the server
        # had already closed after the think time); the retry counts in the stats.
        for attempt in range(2):
            with self.client.post(
                f"/api/v1/exam/attempts/{self.attempt}/submit",
                headers=self.headers,
                name="submit",
                catch_response=True,
            ) as response:
                if response.status_code == 200 and response.json().get("status") == "graded":
                    response.success()
                    return
                if response.status_code == 0 and attempt == 0:
                    response.success()
                    continue
                response.failure(f"submit {response.status_code}")
                return
