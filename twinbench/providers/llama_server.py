"""Child-process entry for the embedded llama.cpp server: ``python -m twinbench.providers.llama_server PARENT_PID ...``.

It runs ``llama_cpp.server`` with the remaining arguments, plus a watchdog thread that exits as soon as the parent
process is gone. The parent's atexit handler stops the server on a normal exit or Ctrl-C; the watchdog covers the
cases where no Python code of the parent runs (SIGKILL, SIGTERM, a crash), so no server is ever orphaned.
"""

import os
import runpy
import sys
import threading
import time

POLL_SECONDS = 0.5


def _watch_parent(parent_pid: int) -> None:
    while True:
        if os.getppid() != parent_pid:
            os._exit(0)  # our parent died and we were re-parented: stop serving at once
        time.sleep(POLL_SECONDS)


def main() -> None:
    parent_pid = int(sys.argv[1])
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()
    sys.argv = ["llama_cpp.server", *sys.argv[2:]]
    runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
