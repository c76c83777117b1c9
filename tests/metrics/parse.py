#!/usr/bin/env python3
"""Parses OpenMetrics text from standard input with the reference Python client (pinned by
tests/requirements.txt) and prints every sample as JSON: {"name{label=value,...}": value}.
Exits 1, with the parser's error, when the text is not valid OpenMetrics."""
import json
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families

samples = {}
try:
    for family in text_string_to_metric_families(sys.stdin.read()):
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}"] = sample.value
except Exception as error:  # the parser's own words are the report
    print(f"not valid OpenMetrics: {error}", file=sys.stderr)
    sys.exit(1)
print(json.dumps(samples))
