"""The playground served to browsers (``tui-nn serve``): a web server that runs
one app process per browser tab (``server.py``) and the entry each of those
processes starts from (``student.py``), confined to downloads and the teacher's
folder (file_access.py) and to a share of a core (session/limits.py)."""
