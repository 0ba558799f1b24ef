"""kill -9 during a write load: every write the server acknowledged is there
after a restart, and the store opens cleanly."""

import threading
import time

from botocore.exceptions import ClientError, EndpointConnectionError

from conftest import client_for


def test_acknowledged_writes_survive_kill_9(fresh_stratus):
    server = fresh_stratus()
    acked, stop = [], threading.Event()
    lock = threading.Lock()

    def writer(n):
        logs = client_for(server.endpoint, "logs")
        i = 0
        while not stop.is_set():
            name = f"/durable/w{n}/g{i}"
            try:
                logs.create_log_group(logGroupName=name)
            except (ClientError, EndpointConnectionError, Exception):
                return
            with lock:
                acked.append(name)
            i += 1

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    server.kill()
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert len(acked) > 20, "the load produced too few writes to mean anything"

    server.start()
    logs = client_for(server.endpoint, "logs")
    present = set()
    for page in logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix="/durable/"):
        present.update(g["logGroupName"] for g in page["logGroups"])
    missing = [name for name in acked if name not in present]
    assert not missing, f"{len(missing)} acknowledged writes lost, e.g. {missing[:3]}"
