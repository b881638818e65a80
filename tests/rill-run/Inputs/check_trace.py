"""Validates a rill-run trace: JSON, complete ('X') slices with the fields Perfetto needs."""
import json
import sys

trace = json.load(open(sys.argv[1]))
events = trace["traceEvents"]
for e in events:
    assert e["ph"] == "X" and e["cat"] == "kernel", e
    assert isinstance(e["ts"], (int, float)) and e["dur"] >= 0, e
    assert isinstance(e["tid"], int) and "location" in e["args"], e
print(len(events), "kernel slices")
print(" ".join(sorted(e["name"] for e in events)))
print(" ".join(sorted({e["args"]["location"].split("/")[-1] for e in events
                       if "async" in e["name"]})))
