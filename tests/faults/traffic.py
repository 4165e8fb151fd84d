"""Steady traffic on the fault stack while a fault is injected: applicants submitting at a
fixed rate, approvers working their inboxes. Every answer is counted, so a scenario can say
what users saw (503 with Retry-After, never a 500) and which requests were accepted."""

import logging
import random
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.faults.prepare import STAFF_PASSWORD
from tests.support import GOOD_APPLICATION, Person, decision_body, verification_token

logger = logging.getLogger(__name__)
APPLICANT_PASSWORD = "applicant-password-1"
# Amounts that route to one, two and three approval levels, so decisions walk whole chains.
AMOUNTS = ("5000.00", "60000.00", "150000.00")


@dataclass
class Answer:
    what: str  # "submit", "decide", "inbox", "sign-in"
    status: int  # 0: no HTTP answer (connection refused, timeout)
    retry_after: str | None
    at: float = field(default_factory=time.monotonic)


class Session:
    """A signed-in person; signs in again when the token expires or was refused."""

    def __init__(self, http: httpx.Client, username: str, password: str) -> None:
        self.http, self.username, self.password = http, username, password
        self.headers: dict[str, str] | None = None
        self._retry_at = 0.0

    def auth(self, answers: "Answers") -> dict[str, str] | None:
        """The session's headers, signing in first if needed; None while sign-in fails (tried
        again after the Retry-After the refusal gave, or a second)."""
        if self.headers is None and time.monotonic() >= self._retry_at:
            response = answers.call(
                "sign-in",
                self.http.post,
                "/api/v1/token",
                data={"username": self.username, "password": self.password},
            )
            if response is not None and response.status_code == 200:
                self.headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
            else:
                wait = response.headers.get("Retry-After") if response is not None else None
                self._retry_at = time.monotonic() + min(float(wait or 1), 5)
        return self.headers


class Answers:
    """Every answer the traffic got, by kind and status; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.log: list[Answer] = []

    def call(self, what: str, method: Any, *args: Any, **kwargs: Any) -> httpx.Response | None:
        try:
            response: httpx.Response = method(*args, **kwargs)
        except httpx.HTTPError:
            self._add(Answer(what, 0, None))
            return None
        self._add(Answer(what, response.status_code, response.headers.get("Retry-After")))
        return response

    def _add(self, answer: Answer) -> None:
        with self._lock:
            self.log.append(answer)

    def counts(self, since: float = 0.0) -> Counter[tuple[str, int]]:
        with self._lock:
            return Counter((a.what, a.status) for a in self.log if a.at >= since)

    def server_errors(self) -> list[Answer]:
        """5xx answers other than 503: those are the ones a fault must never cause."""
        with self._lock:
            return [a for a in self.log if a.status >= 500 and a.status != 503]

    def first(self, what: str, status: int, since: float) -> float | None:
        """Seconds from `since` to the first `what` answered `status`, if any."""
        with self._lock:
            times = [a.at for a in self.log if a.what == what and a.status == status]
        later = [t - since for t in times if t >= since]
        return min(later) if later else None

    def unavailable(self, since: float = 0.0) -> list[Answer]:
        with self._lock:
            return [a for a in self.log if a.status == 503 and a.at >= since]


def register_applicants(url: str, count: int) -> list[tuple[str, str]]:
    """`count` verified applicants: (username, password)."""
    people = []
    with httpx.Client(base_url=url, timeout=30) as http:
        for _ in range(count):
            username = f"applicant-{uuid.uuid4().hex[:10]}"
            email = f"{username}@example.com"
            response = http.post(
                "/api/v1/users",
                json={
                    "username": username,
                    "email": email,
                    "password": APPLICANT_PASSWORD,
                    "full_name": f"Fault Applicant {username[-4:]}",
                },
            )
            response.raise_for_status()
            person = Person(
                uuid.UUID(response.json()["id"]), username, email, APPLICANT_PASSWORD, "applicant"
            )
            http.post(
                "/api/v1/email-verifications", json={"token": verification_token(person)}
            ).raise_for_status()
            people.append((username, APPLICANT_PASSWORD))
    return people


class Traffic:
    """Submissions at `rate` per second from `applicants`, and every approving staff member
    deciding what their inbox holds (approving, with now and then a rejection), until stopped."""

    def __init__(
        self, url: str, applicants: list[tuple[str, str]], approvers: list[str], rate: float = 5.0
    ) -> None:
        self.url, self.rate = url, rate
        self.http = httpx.Client(base_url=url, timeout=15, limits=httpx.Limits(max_connections=32))
        self.applicants = [Session(self.http, u, p) for u, p in applicants]
        self.approvers = [Session(self.http, u, STAFF_PASSWORD) for u in approvers]
        self.answers = Answers()
        self.accepted: list[str] = []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="submit")
        self._random = random.Random(7)

    def __enter__(self) -> "Traffic":
        # Everyone signs in first, so a fault meets people in the middle of their work.
        list(self._pool.map(lambda s: s.auth(self.answers), self.applicants + self.approvers))
        self._threads = [threading.Thread(target=self._submitting, name="submitter")]
        self._threads += [
            threading.Thread(target=self._deciding, args=(a,), name=f"approver-{a.username}")
            for a in self.approvers
        ]
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(30)
        self._pool.shutdown(wait=True)
        self.http.close()

    def _submitting(self) -> None:
        interval, next_at = 1 / self.rate, time.monotonic()
        while not self._stop.is_set():
            applicant = self._random.choice(self.applicants)
            amount = self._random.choice(AMOUNTS)
            self._pool.submit(self._submit, applicant, amount)
            next_at += interval
            self._stop.wait(max(0.0, next_at - time.monotonic()))

    def _submit(self, applicant: Session, amount: str) -> None:
        headers = applicant.auth(self.answers)
        if headers is None:
            return
        body = {**GOOD_APPLICATION, "amount": amount, "term_months": 60}
        response = self.answers.call(
            "submit", self.http.post, "/api/v1/credit-requests", json=body, headers=headers
        )
        if response is not None and response.status_code == 202:
            self.accepted.append(response.json()["id"])  # list.append is atomic
        elif response is not None and response.status_code == 401:
            applicant.headers = None

    def _deciding(self, approver: Session) -> None:
        while not self._stop.is_set():
            headers = approver.auth(self.answers)
            if headers is None:
                self._stop.wait(1)
                continue
            inbox = self.answers.call(
                "inbox", self.http.get, "/api/v1/approvals?limit=10", headers=headers
            )
            if inbox is None or inbox.status_code != 200:
                if inbox is not None and inbox.status_code == 401:
                    approver.headers = None
                self._stop.wait(1)
                continue
            for item in inbox.json()["items"]:
                if self._stop.is_set():
                    return
                reject = self._random.random() < 0.1
                decision = decision_body(
                    "reject" if reject else "approve",
                    "Too much debt for this term." if reject else "Looks fine.",
                )
                self.answers.call(
                    "decide",
                    self.http.post,
                    f"/api/v1/credit-requests/{item['request']['id']}/decision",
                    json=decision,
                    headers=headers,
                )
            self._stop.wait(0.5)
