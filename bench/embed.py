"""Embedding throughput on real texts: our embedder vs the numpy reference, and ingest into
Chroma vs the bare embedder.

    .venv/bin/python -m bench.embed [--texts 2000] [--reference 60]

Texts come from ../shared/data/rjdb/rjdb_dev.jsonl (CC BY-SA 4.0): the 500 job
descriptions and 1,000 resumes, plus each job's first section as a short text, to reach
~2,000 texts of realistic mixed length. Read here only, never at test or run time.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings

from ingest.embeddings import LocalMiniLM
from ingest.index import JobDoc, VectorIndex
from tests.helpers.reference_bert import reference_embed

RJDB = Path(__file__).resolve().parents[2] / "shared" / "data" / "rjdb" / "rjdb_dev.jsonl"


def load_texts(limit: int) -> list[str]:
    rows = [json.loads(line) for line in RJDB.read_text(encoding="utf-8").splitlines() if line]
    texts = [r[k] for r in rows for k in ("Job-Description", "Resume-matched", "Resume-unmatched")]
    # Short texts too (title + summary), as chat queries and skill lists are short.
    texts += [r["Job-Description"].strip().split("\n\n## Required Skills")[0] for r in rows]
    return texts[:limit]


def timed(work: Callable[[], object]) -> tuple[float, float]:
    """Wall seconds and CPU seconds of this process (all threads).

    CPU time is the steadier figure on a shared machine: other processes stretch the wall
    clock but not the work done here.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=2000)
    parser.add_argument("--reference", type=int, default=60, help="texts for the slow numpy run")
    args = parser.parse_args()
    texts = load_texts(args.texts)

    with tempfile.TemporaryDirectory() as tmp:
        embedder = LocalMiniLM(Path(tmp) / "models")
        tokens = embedder.token_counts(texts)
        embedder.embed(texts[:32])  # warm-up: session initialisation, memory arenas

        rows: list[tuple[str, int, tuple[float, float]]] = []
        vectors: np.ndarray | None = None

        def ours() -> None:
            nonlocal vectors
            vectors = embedder.embed(texts)

        rows.append(("onnxruntime, length-sorted batches (ours)", len(texts), timed(ours)))

        def input_order() -> None:
            # Batches of 32 in input order: padding to each batch's longest text.
            for start in range(0, len(texts), 32):
                embedder.embed(texts[start : start + 32])

        rows.append(("onnxruntime, batches in input order", len(texts), timed(input_order)))

        short = [t[:60] for t in texts]
        rows.append(
            ("onnxruntime, texts cut to 60 chars", len(short), timed(lambda: embedder.embed(short)))
        )

        client = chromadb.PersistentClient(
            path=str(Path(tmp) / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
        )
        index = VectorIndex(client, embedder)
        docs = [JobDoc(f"j{i}", f"org-{i % 5}", text) for i, text in enumerate(texts)]
        rows.append(
            (
                "VectorIndex.upsert_jobs, embedded Chroma",
                len(docs),
                timed(lambda: index.upsert_jobs(docs)),
            )
        )

        sample = texts[: args.reference]
        reference: np.ndarray | None = None

        def numpy_reference() -> None:
            nonlocal reference
            reference = reference_embed(sample)

        rows.append(
            ("numpy reference (float64, one text at a time)", len(sample), timed(numpy_reference))
        )

    assert vectors is not None and reference is not None
    deviation = float(np.abs(vectors[: len(sample)] - reference).max())
    bare = len(texts) / rows[0][2][0]
    print(
        f"\n{len(texts)} rjdb texts, {np.mean(tokens):.0f} word pieces on average "
        f"(max 256 after truncation), {embedder.threads} threads\n"
    )
    print(
        f"{'method':<48} {'texts':>6} {'wall s':>8} {'texts/s':>8} {'vs ours':>8} {'CPU ms/text':>12}"
    )
    for name, count, (wall, cpu) in rows:
        rate = count / wall
        print(
            f"{name:<48} {count:>6} {wall:>8.2f} {rate:>8.1f} {rate / bare:>7.2f}x "
            f"{1000 * cpu / count:>12.1f}"
        )
    print(f"\nmax |ours - numpy reference| over {len(sample)} texts: {deviation:.1e}")


if __name__ == "__main__":
    main()
