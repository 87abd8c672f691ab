"""A TCP proxy in front of PostgreSQL that a test can cut (connections reset, new ones refused)
or black-hole (connections stay open and nothing comes back, as when a network drops packets),
and restore. Threads and sockets only."""

import contextlib
import select
import socket
import threading


class DatabaseProxy:
    OPEN, CUT, BLACK_HOLE = "open", "cut", "black hole"

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.mode = self.OPEN
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._pairs: list[tuple[socket.socket, socket.socket | None]] = []
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        self._listener.settimeout(0.1)
        while not self._stopped.is_set():
            try:
                client, _address = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self.mode == self.CUT:
                client.close()
                continue
            upstream = socket.create_connection(self.target) if self.mode == self.OPEN else None
            with self._lock:
                self._pairs.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, client: socket.socket, upstream: socket.socket | None) -> None:
        """Forward both ways while open; in a black hole, read and drop what the client sends
        (the kernel acknowledges it, so the client only ever waits)."""
        sockets = [client] + ([upstream] if upstream else [])
        try:
            while not self._stopped.is_set():
                readable, _w, _x = select.select(sockets, [], [], 0.1)
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        return
                    if self.mode == self.OPEN and upstream is not None:
                        (upstream if source is client else client).sendall(data)
        except OSError:
            return
        finally:
            for sock in sockets:
                sock.close()

    def cut(self) -> None:
        """Every connection is reset and new ones are closed at once: a database that went away."""
        self.mode = self.CUT
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for client, upstream in pairs:
            for sock in (client, upstream):
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)

    def black_hole(self) -> None:
        """Connections stay open and answer nothing, old and new alike."""
        self.mode = self.BLACK_HOLE

    def restore(self) -> None:
        """Answers again; connections from the outage are closed (the database forgot them)."""
        self.cut()
        self.mode = self.OPEN

    def close(self) -> None:
        self.cut()
        self._stopped.set()
        self._listener.close()
