"""The Chainlit chat UI: sign-in, chat profiles, uploads, and background results.

Chainlit reads its configuration (`.chainlit/config.toml`, `chainlit.md`, `public/`) from
`CHAINLIT_APP_ROOT`, fixed when `chainlit` is first imported and by default the working
directory. Every chainlit import of ours goes through this package, so pointing it at the
project root here makes `clearview serve` behave the same from any directory.
"""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("CHAINLIT_APP_ROOT", str(PROJECT_ROOT))
