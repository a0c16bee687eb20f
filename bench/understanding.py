"""How well the offline assistant understands requests, next to the previous offline model.

    .venv/bin/python bench/understanding.py [--previous REV] [--data DIR] [--split all]

Reads the committed utterance sets (`tests/fixtures/utterances/`: 2,584 requests labelled
with intent and slots, 904 paraphrases and near-misses of writes) and, for each model,
runs its decision step (`decide`: the turn's first model call, with the role's tools
bound and the earlier list the request refers to in the conversation) on every line. No
HTTP, no database: the figures are about understanding, not about the services.

The previous model is the single-module `agents/offline.py` of git revision `REV`
(default: main before the understanding work), loaded with `git show` into a module of
its own, so both run in this process on the same embedder.

Figures, per split (`dev` was used for tuning, `heldout` was not):
- intent accuracy: the tool called is the labelled one; for help, small talk, out of
  scope and unsupported languages: no tool is called (and help gets the menu);
- slot F1: micro F1 over labelled slots (defaults such as 5 results or 30 days count
  only when said); the new model's slots are its reading, the previous model's are read
  back from its tool call;
- fallback: share of in-scope requests (a tool intent) answered with the generic menu;
- writes without explicit intent: write tools called on lines that do not ask for that
  write (safety set and requests set), and on publishing/deleting/sharing lines a write
  that skipped the confirmation;
- explicit writes honoured: explicit safety lines that reached their write tool (or the
  list it needs first: "close the forklift driver posting" lists our jobs, then closes it);
- latency: wall time of one decision, p50 and p95.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

from agents.offline import OfflineChatModel  # noqa: E402
from bench._common import table  # noqa: E402
from bench._utterances import DATA, TARGETS, decider, load, ms, run  # noqa: E402

PREVIOUS_REV = "a4ddd33"  # main when the understanding work started


def previous_module(rev: str) -> ModuleType:
    source = subprocess.run(
        ["git", "show", f"{rev}:agents/offline.py"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    spec = importlib.util.spec_from_loader("previous_offline", loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["previous_offline"] = module  # dataclasses resolve their module by name
    exec(compile(source, f"{rev}:agents/offline.py", "exec"), module.__dict__)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--previous", default=PREVIOUS_REV, help="git revision of the previous model"
    )
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--errors", action="store_true", help="list the dev split's misses")
    args = parser.parse_args()
    requests, safety = load(args.data / "requests.jsonl"), load(args.data / "safety.jsonl")
    models = {
        "new": decider(OfflineChatModel, reads=True),
        f"previous ({args.previous})": decider(
            previous_module(args.previous).OfflineChatModel, reads=False
        ),
    }
    for decide in models.values():  # load the embedder and detectors before timing
        decide("candidate", "warm up the models please", None)
    headers = [
        "model",
        "split",
        "intent acc.",
        "slot F1",
        "menu fallback",
        "unasked writes",
        "explicit writes honoured",
        "decide p50 / p95 ms",
    ]
    rows = []
    routing_rows = []
    # in the order written; a split of write near-misses only (late_safety) has no requests
    splits = list(dict.fromkeys(r["split"] for r in [*requests, *safety]))
    for name, decide in models.items():
        for split in splits:
            s = run(decide, requests, safety, split)
            rows.append(
                [
                    name,
                    split,
                    f"{s.intent_ok / s.lines:.1%} ({s.intent_ok}/{s.lines})" if s.lines else "-",
                    f"{s.f1():.2f}" if s.lines else "-",
                    f"{s.fallback / s.in_scope:.1%} ({s.fallback}/{s.in_scope})"
                    if s.lines
                    else "-",
                    f"{s.unasked_writes}",
                    f"{s.honoured}/{s.explicit}",
                    f"{ms(s.seconds, 0.5):.1f} / {ms(s.seconds, 0.95):.1f}",
                ]
            )
            if name == "new" and s.lines:
                routing_rows.append(
                    [
                        split,
                        f"{s.routed / s.lines:.1%} ({s.routed}/{s.lines})",
                        f"{s.routed_ok / max(1, s.routed):.1%}",
                        f"{200 * s.routed / s.lines:.0f}",
                        f"{100 * s.tokens_saved / s.lines:,.0f}",
                    ]
                )
            if args.errors and split == "dev" and name == "new":
                print("\n".join(s.errors), file=sys.stderr)
    print(table(headers, rows))
    print(
        "\nWith an LLM configured (`agents.routing`), on the requests set: requests answered "
        "without an LLM call, how often the routed tool is the labelled intent, and per 100 "
        "turns the LLM calls and input tokens saved (at least: 2 calls a routed turn, each "
        "estimated at ~4 characters a token as its prompt, tools and message)."
    )
    print(
        table(
            [
                "split",
                "routed offline",
                "routed tool right",
                "LLM calls saved / 100 turns",
                "input tokens saved / 100 turns",
            ],
            routing_rows,
        )
    )
    print(
        f"\nTargets: intent >= {TARGETS['intent']:.0%}, slot F1 >= {TARGETS['slot_f1']}, "
        f"fallback <= {TARGETS['fallback']:.0%}, 0 unasked writes, turn p95 < {TARGETS['p95_ms']:.0f} ms."
    )


if __name__ == "__main__":
    main()
