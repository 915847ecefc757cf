"""Loaded by every Python process of a served-app audit run (tests/test_served_app.py
puts this folder first on PYTHONPATH): once the process is served
(TUI_NN_SERVED=1), every file it opens, renames or removes is written to the
audit log, one JSON line each. The log's descriptor is opened before the hook
exists and inherited by forked trainers; a spawned trainer opens its own."""

import json
import os
import sys

_LOG = os.environ.get("TUI_NN_AUDIT_LOG")
_WATCHED = {"open", "os.rename", "os.replace", "os.remove", "os.rmdir", "os.mkdir", "os.symlink", "os.link",
            "os.truncate", "os.chmod", "shutil.copyfile", "shutil.move", "shutil.rmtree", "os.utime"}

if _LOG:
    _fd = os.open(_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def _hook(event, args):
        if event not in _WATCHED or os.environ.get("TUI_NN_SERVED") != "1":
            return
        path = args[0] if args else None
        if isinstance(path, int) or path is None:  # an open descriptor: already accounted for
            return
        try:
            path = os.fsdecode(path)
            shown = os.path.abspath(path)
        except (TypeError, ValueError):
            shown = repr(path)
        mode = args[1] if event == "open" and len(args) > 1 else None
        flags = args[2] if event == "open" and len(args) > 2 else None
        line = json.dumps({"pid": os.getpid(), "event": event, "path": shown,
                           "mode": mode if isinstance(mode, str) else None,
                           "flags": flags if isinstance(flags, int) else None})
        os.write(_fd, (line + "\n").encode())

    sys.addaudithook(_hook)
