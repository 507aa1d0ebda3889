"""Locust scenario for benchmarks/sittings_station.py: one station's computers in kiosk mode.

Each simulated computer opens /kiosk/, types its ticket code (the server signs
the worker in and starts the attempt), opens the attempt page, then saves one
answer every SAVE_EVERY seconds until SITTINGS_RUN_SECONDS after the first
start, and submits. Every acknowledged save is written to SITTINGS_BENCH_ACKS
(JSON lines) for the database check that follows.

The server's cookies are Secure (production settings) and locust speaks plain
HTTP on loopback, so the cookies are carried by hand in a Cookie header.

Environment: SITTINGS_BENCH_TICKETS (JSON list of codes), SITTINGS_BENCH_ACKS,
SITTINGS_SAVE_EVERY (seconds, default 10), SITTINGS_RUN_SECONDS.
"""

import itertools
import json
import os
import random
import re
import time
from pathlib import Path

import gevent
from locust import HttpUser, events, task
from locust.exception import StopUser

TICKETS = json.loads(Path(os.environ["SITTINGS_BENCH_TICKETS"]).read_text(encoding="utf-8"))
ACKS_PATH = os.environ["SITTINGS_BENCH_ACKS"]
SAVE_EVERY = float(os.environ.get("SITTINGS_SAVE_EVERY", "10"))
RUN_SECONDS = float(os.environ.get("SITTINGS_RUN_SECONDS", "180"))
ATTEMPT_URL = re.compile(r"/me/exams/attempts/(\d+)/$")

_next = itertools.count()
_acks: list[dict] = []
_t0: list[float] = []


@events.test_stop.add_listener
def _write_acks(environment, **kwargs):
    with open(ACKS_PATH, "w", encoding="utf-8") as out:
        for ack in _acks:
            out.write(json.dumps(ack) + "\n")


class StationComputer(HttpUser):
    wait_time = staticmethod(lambda: 0)

    def _remember(self, response) -> None:
        self.jar.update(response.cookies.get_dict())

    def _headers(self, **extra) -> dict:
        cookie = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        return {"Cookie": cookie, **extra}

    def on_start(self):
        if not _t0:
            _t0.append(time.monotonic())
        index = next(_next)
        if index >= len(TICKETS):
            raise StopUser
        self.jar: dict = {}
        self.client.cookies.clear()
        form = self.client.get("/kiosk/", name="kiosk page")
        self._remember(form)
        with self.client.post(
            "/kiosk/",
            data={"code": TICKETS[index], "csrfmiddlewaretoken": self.jar.get("csrftoken", "")},
            headers=self._headers(),
            allow_redirects=False,
            name="kiosk start",
            catch_response=True,
        ) as response:
            match = ATTEMPT_URL.search(response.headers.get("Location", ""))
            if response.status_code != 302 or not match:
                response.failure(f"kiosk {response.status_code}")
                raise StopUser
            response.success()
        self._remember(response)
        self.attempt = int(match.group(1))
        self._remember(
            self.client.get(match.group(0), headers=self._headers(), name="attempt page")
        )
        data = self.client.get(
            f"/api/v1/exam/attempts/{self.attempt}/questions",
            headers=self._headers(),
            name="questions",
        ).json()
        self.positions = [q["position"] for q in data["questions"]]
        self.keys = {q["position"]: [c["key"] for c in q["choices"]] for q in data["questions"]}
        self.seq = data.get("last_seq", 0)
        self.stop_at = _t0[0] + RUN_SECONDS

    @task
    def sit(self):
        next_save = time.monotonic() + SAVE_EVERY
        while next_save < self.stop_at:
            gevent.sleep(max(0.0, next_save - time.monotonic()))
            self.save()
            next_save += SAVE_EVERY
        self.submit()
        raise StopUser

    def _json_headers(self) -> dict:
        return self._headers(
            **{"X-CSRFToken": self.jar.get("csrftoken", ""), "Content-Type": "application/json"}
        )

    def save(self):
        position = random.choice(self.positions)
        selected = [random.choice(self.keys[position])]
        self.seq += 1
        with self.client.put(
            f"/api/v1/exam/attempts/{self.attempt}/answers/{position}",
            data=json.dumps({"selected": selected, "seq": self.seq}),
            headers=self._json_headers(),
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
        with self.client.post(
            f"/api/v1/exam/attempts/{self.attempt}/submit",
            headers=self._json_headers(),
            name="submit",
            catch_response=True,
        ) as response:
            if response.status_code == 200 and response.json().get("status") == "graded":
                response.success()
            else:
                response.failure(f"submit {response.status_code}")
