"""The official Avala clients (Python SDK and CLI) against the local stack, unchanged.

Run by AvalaClientsTest (./mvnw verify), which starts the stack and passes its URL and keys in
AVALA_BASE_URL, AVALA_API_KEY and AVALA_OTHER_API_KEY.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.server
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest
from avala import Client
from avala.errors import AuthenticationError, NotFoundError, ValidationError

BASE_URL = os.environ["AVALA_BASE_URL"]
API_KEY = os.environ["AVALA_API_KEY"]
OTHER_KEY = os.environ["AVALA_OTHER_API_KEY"]


@pytest.fixture
def client() -> Client:
    return Client(api_key=API_KEY, base_url=BASE_URL)


@pytest.fixture
def receiver():
    """A loopback HTTP receiver that checks Standard Webhooks signatures itself."""
    calls: list[dict] = []
    secrets: dict[str, str] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            key = base64.b64decode(secrets["secret"].removeprefix("whsec_"))
            signed = f"{self.headers['webhook-id']}.{self.headers['webhook-timestamp']}.".encode() + body
            expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
            calls.append({"body": json.loads(body), "valid": expected in self.headers["webhook-signature"].split(" ")})
            answer = json.dumps({"action": "approve", "reason": "python says yes"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", secrets, calls
    server.shutdown()


def test_sdk_manages_an_agent_from_create_to_delete(client: Client) -> None:
    agent = client.agents.create(
        name="SDK agent",
        events=["task.completed", "result.submitted"],
        description="made by the Python SDK",
        project="proj_sdk",
        task_types=["classification"],
    )
    assert agent.uid.startswith("agent_")
    assert agent.secret and agent.secret.startswith("whsec_")
    assert agent.execution_stats == {"total": 0, "success": 0, "failed": 0, "pending": 0}
    assert agent.created_at is not None and agent.created_at.tzinfo is not None

    fetched = client.agents.get(agent.uid)
    assert fetched.name == "SDK agent" and fetched.secret is None and fetched.callback_url is None

    updated = client.agents.update(agent.uid, name="Renamed", is_active=False)
    assert (updated.name, updated.is_active, updated.events) == ("Renamed", False, agent.events)
    assert updated.updated_at > agent.updated_at

    client.agents.delete(agent.uid)
    with pytest.raises(NotFoundError):
        client.agents.get(agent.uid)


def test_sdk_pages_with_the_cursor_it_reads_from_next(client: Client) -> None:
    made = [client.agents.create(name=f"page {i}").uid for i in range(5)]
    seen: list[str] = []
    cursor = None
    while True:
        page = client.agents.list(limit=2, cursor=cursor)
        seen.extend(a.uid for a in page.items)
        if not page.has_more:
            break
        cursor = page.next_cursor
    assert [uid for uid in seen if uid in made] == list(reversed(made))


def test_sdk_test_sends_a_signed_callback_and_lists_the_execution(client: Client, receiver) -> None:
    url, secrets, calls = receiver
    agent = client.agents.create(name="tested by sdk", events=["task.completed"], callback_url=url)
    secrets["secret"] = agent.secret

    result = client.agents.test(agent.uid)

    assert result["success"] is True and result["status"] == "success" and result["status_code"] == 200
    assert result["response"] == {"action": "approve", "reason": "python says yes"}
    # The test call sends the catalog's example of the first type the agent subscribes to, marked as a test.
    assert len(calls) == 1 and calls[0]["valid"] and calls[0]["body"]["type"] == "task.completed"
    assert calls[0]["body"]["test"] is True
    executions = client.agents.list_executions(agent.uid, limit=10)
    assert [e.uid for e in executions.items] == [result["execution"]]
    assert executions.items[0].action == "approve" and executions.items[0].registration == agent.uid
    # execution_stats follow the executions from the table's stream, within a few seconds.
    deadline = time.monotonic() + 20
    while client.agents.get(agent.uid).execution_stats["success"] != 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert client.agents.get(agent.uid).execution_stats == {"total": 1, "success": 1, "failed": 0, "pending": 0}


def _post(path: str, body: dict | None = None) -> tuple[int, dict]:
    """A raw request to an operator route (the SDK has no methods for them)."""
    request = urllib.request.Request(BASE_URL + path, method="POST", data=None if body is None else json.dumps(body).encode(),
                                     headers={"X-Avala-Api-Key": API_KEY, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_sdk_reads_agents_and_executions_after_a_rotation_and_a_redelivery(client: Client, receiver) -> None:
    url, secrets, calls = receiver
    agent = client.agents.create(name="rotated by an operator", events=["task.completed"], callback_url=url)
    secrets["secret"] = agent.secret
    execution = client.agents.test(agent.uid)["execution"]

    status, rotated = _post(f"/agents/{agent.uid}/rotate-secret/", {"overlap_seconds": 600})
    assert status == 200 and rotated["secret"].startswith("whsec_") and rotated["secret"] != agent.secret
    status, redelivered = _post(f"/agents/{agent.uid}/executions/{execution}/redeliver/")
    assert status == 202 and redelivered["status"] == "running"
    deadline = time.monotonic() + 20
    while len(calls) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)

    # The old secret still verifies during the overlap: the redelivery carries both signatures.
    assert len(calls) == 2 and all(call["valid"] for call in calls)
    fetched = client.agents.get(agent.uid)
    assert fetched.uid == agent.uid and fetched.is_active is True
    while client.agents.list_executions(agent.uid).items[0].status != "success" and time.monotonic() < deadline:
        time.sleep(0.2)
    listed = client.agents.list_executions(agent.uid).items
    assert [e.uid for e in listed] == [execution] and listed[0].status == "success"


def test_sdk_raises_its_typed_errors(client: Client) -> None:
    with pytest.raises(ValidationError) as invalid:
        client.agents.create(name="", events=["Not An Event"])
    assert "name" in str(invalid.value)
    with pytest.raises(NotFoundError):
        client.agents.get("agent_01ZZZZZZZZZZZZZZZZZZZZZZZZ")
    with pytest.raises(AuthenticationError):
        Client(api_key="avk_wrong", base_url=BASE_URL).agents.list()
    theirs = Client(api_key=OTHER_KEY, base_url=BASE_URL).agents.create(name="other tenant's")
    with pytest.raises(NotFoundError):
        client.agents.get(theirs.uid)


def cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, AVALA_API_KEY=API_KEY, AVALA_BASE_URL=BASE_URL)
    command = [os.path.join(os.path.dirname(sys.executable), "avala"), "-o", "json", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)


def test_cli_creates_lists_gets_and_deletes(client: Client) -> None:
    created = cli("agents", "create", "--name", "CLI agent", "--events", "task.completed,task.reviewed")
    assert created.returncode == 0, created.stderr
    uid = next(a.uid for a in client.agents.list(limit=100).items if a.name == "CLI agent")

    listed = cli("agents", "list", "--limit", "100")
    assert listed.returncode == 0 and uid in listed.stdout
    got = cli("agents", "get", uid)
    assert got.returncode == 0 and "task.reviewed" in got.stdout
    executions = cli("agents", "executions", uid)
    assert executions.returncode == 0, executions.stderr
    deleted = cli("agents", "delete", uid, "--yes")
    assert deleted.returncode == 0, deleted.stderr
    with pytest.raises(NotFoundError):
        client.agents.get(uid)


def test_task_agent_run_once_handles_pending_executions_in_pull_mode() -> None:
    import uuid

    import boto3
    from avala_agents import TaskAgent

    agent = TaskAgent(api_key=API_KEY, base_url=BASE_URL, name="pull-mode reviewer", project="proj_pull")
    decisions: list[tuple[str, str]] = []

    @agent.on("result.submitted")
    def review(context) -> None:
        decisions.append((context.task_uid, context.result_uid))
        context.reject("needs another look") if context.result_data == [] else context.approve("ok")

    assert agent.run_once() == 0  # registers the agent; nothing is pending yet

    sqs = boto3.client("sqs", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    for data in ([{"label": "cat"}], []):
        sqs.send_message(QueueUrl=os.environ["AVALA_QUEUE_URL"], MessageBody=json.dumps({
            "id": f"evt_{uuid.uuid4()}", "type": "result.submitted", "tenant": "sdk", "project": "proj_pull",
            "task_type": "classification", "task": "task_p", "result": f"result_{len(data)}",
            "data": {"result_data": data}}))

    processed = 0
    deadline = time.time() + 20
    while processed < 2 and time.time() < deadline:
        processed += agent.run_once()
        time.sleep(0.2)

    assert processed == 2
    assert sorted(decisions) == [("task_p", "result_0"), ("task_p", "result_1")]
    client = Client(api_key=API_KEY, base_url=BASE_URL)
    executions = client.agents.list_executions(agent._agent_uid, limit=10).items
    assert sorted(e.action for e in executions) == ["approve", "reject"]
    assert all(e.status == "success" for e in executions)
    assert agent.run_once() == 0


def _send_event(event_type: str, **fields) -> str:
    import uuid

    import boto3

    event_id = f"evt_{uuid.uuid4()}"
    sqs = boto3.client("sqs", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    sqs.send_message(QueueUrl=os.environ["AVALA_QUEUE_URL"], MessageBody=json.dumps({
        "id": event_id, "type": event_type, "tenant": "sdk", **fields}))
    return event_id


def _agents_named(client: Client, name: str) -> list[str]:
    uids: list[str] = []
    cursor = None
    while True:
        page = client.agents.list(limit=100, cursor=cursor)
        uids.extend(a.uid for a in page.items if a.name == name)
        if not page.has_more:
            return uids
        cursor = page.next_cursor


def test_task_agent_restarted_keeps_its_agent_and_handles_the_event_sent_while_it_was_down(client: Client) -> None:
    import uuid

    from avala_agents import TaskAgent

    name = f"restarting worker {uuid.uuid4()}"
    before = TaskAgent(api_key=API_KEY, base_url=BASE_URL, name=name)
    before.on("task.completed")(lambda context: context.approve("before"))
    assert before.run_once() == 0
    uid = before._agent_uid
    before.close()

    _send_event("task.completed", task="task_down")
    deadline = time.time() + 20
    while not client.agents.list_executions(uid, limit=10).items and time.time() < deadline:
        time.sleep(0.2)

    handled: list[str] = []
    after = TaskAgent(api_key=API_KEY, base_url=BASE_URL, name=name)

    @after.on("task.completed")
    def review(context) -> None:
        handled.append(context.task_uid)
        context.approve("after the restart")

    deadline = time.time() + 20
    while not handled and time.time() < deadline:
        after.run_once()
        time.sleep(0.2)

    assert after._agent_uid == uid
    assert handled == ["task_down"]
    assert _agents_named(client, name) == [uid]


def test_ten_task_agents_registering_one_new_name_at_once_make_one_agent(client: Client) -> None:
    import uuid
    from concurrent.futures import ThreadPoolExecutor

    from avala_agents import TaskAgent

    name = f"replicated worker {uuid.uuid4()}"
    replicas = [TaskAgent(api_key=API_KEY, base_url=BASE_URL, name=name) for _ in range(10)]
    for replica in replicas:
        replica.on("task.completed")(lambda context: context.approve("ok"))

    with ThreadPoolExecutor(max_workers=10) as pool:
        assert list(pool.map(lambda replica: replica.run_once(), replicas)) == [0] * 10  # each registered (2xx)

    uids = {replica._agent_uid for replica in replicas}
    assert len(uids) == 1
    assert _agents_named(client, name) == list(uids)


CLAIM_SECONDS = float(os.environ.get("AVALA_PULL_CLAIM_SECONDS", "600"))


def _get(path: str) -> tuple[int, dict]:
    request = urllib.request.Request(BASE_URL + path, headers={"X-Avala-Api-Key": API_KEY})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _registered_worker(name: str, handled: list[str]):
    from avala_agents import TaskAgent

    worker = TaskAgent(api_key=API_KEY, base_url=BASE_URL, name=name)

    @worker.on("task.completed")
    def handle(context) -> None:
        handled.append(context.task_uid)
        context.approve("handled")

    assert worker.run_once() == 0  # registers before any event is sent
    return worker


def test_two_task_agent_replicas_polling_at_once_handle_twenty_events_exactly_once() -> None:
    import uuid
    from concurrent.futures import ThreadPoolExecutor

    name = f"two replicas {uuid.uuid4()}"
    handled: list[str] = []
    replicas = [_registered_worker(name, handled) for _ in range(2)]
    assert replicas[0]._agent_uid == replicas[1]._agent_uid
    sent = [f"task_{uuid.uuid4()}" for _ in range(20)]
    for task in sent:
        _send_event("task.completed", task=task)

    deadline = time.time() + 60
    with ThreadPoolExecutor(max_workers=2) as pool:
        while len(handled) < 20 and time.time() < deadline:
            list(pool.map(lambda replica: replica.run_once(), replicas))
            time.sleep(0.2)
        time.sleep(CLAIM_SECONDS + 0.5)  # past every claim: an execution not acted on would be received again
        list(pool.map(lambda replica: replica.run_once(), replicas))

    assert sorted(handled) == sorted(sent)


def test_a_worker_killed_inside_its_handler_leaves_the_execution_to_the_other_after_the_claim() -> None:
    import signal
    import tempfile
    import uuid

    name = f"killed worker {uuid.uuid4()}"
    handled: list[str] = []
    survivor = _registered_worker(name, handled)
    inside = os.path.join(tempfile.mkdtemp(), "inside")
    doomed = subprocess.Popen([sys.executable, "-c", f"""
import time
from avala_agents import TaskAgent
worker = TaskAgent(api_key={API_KEY!r}, base_url={BASE_URL!r}, name={name!r})

@worker.on("task.completed")
def handle(context):
    open({inside!r}, "w").close()
    time.sleep(600)

while True:
    worker.run_once()
    time.sleep(0.2)
"""])
    try:
        _send_event("task.completed", task="task_killed")
        deadline = time.time() + 30
        while not os.path.exists(inside) and time.time() < deadline:
            time.sleep(0.1)
        assert os.path.exists(inside), "the doomed worker never received the execution"
    finally:
        doomed.send_signal(signal.SIGKILL)
        doomed.wait()

    deadline = time.time() + CLAIM_SECONDS + 20
    while not handled and time.time() < deadline:
        survivor.run_once()
        time.sleep(0.2)

    assert handled == ["task_killed"]
    executions = _get(f"/agents/{survivor._agent_uid}/executions/")[1]["results"]
    assert [(e["status"], e["attempts"]) for e in executions] == [("success", 2)]  # claimed by each worker once


def test_five_claims_without_an_action_end_the_execution_failed_with_the_reason() -> None:
    import uuid

    name = f"silent worker {uuid.uuid4()}"
    uid = _registered_worker(name, [])._agent_uid
    _send_event("task.completed", task="task_silent")
    deadline = time.time() + 20
    claimed: list[dict] = []
    while not claimed and time.time() < deadline:
        claimed = _get(f"/agents/{uid}/executions/?status=pending")[1]["results"]
        time.sleep(0.2)
    assert len(claimed) == 1
    execution = claimed[0]["uid"]

    for claim in range(2, 6):
        time.sleep(CLAIM_SECONDS + 0.5)
        status, page = _get(f"/agents/{uid}/executions/?status=pending")
        assert status == 200 and [e["uid"] for e in page["results"]] == [execution], claim
        assert page["results"][0]["attempts"] == claim
    time.sleep(CLAIM_SECONDS + 0.5)
    status, page = _get(f"/agents/{uid}/executions/?status=pending")

    assert (status, page["results"], page["next"]) == (200, [], None)
    listed = {e["uid"]: e for e in _get(f"/agents/{uid}/executions/")[1]["results"]}
    assert listed[execution]["status"] == "failed"
    assert listed[execution]["error_message"] == "Not handled after 5 claims."
