"""The web page served by the HTTP door at ``GET /`` and ``/static/``: plain files, no build step.

``static/`` holds the page (``index.html``), its ES modules, style sheet and icon. Nothing here
is executed by the server; the page speaks the JSON protocol of ``docs/web-protocol.md`` over
the door's WebSocket. It must never fetch anything from another origin, never use inline
script or inline style (the door's Content-Security-Policy forbids both), and never insert
user data as HTML.
"""
