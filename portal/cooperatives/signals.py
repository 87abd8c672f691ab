"""What the registry tells the capabilities after it. Sent inside the transaction of the change.

``registry_imported``: sender the acting user (None from the command line), ``cooperative_ids``
those the import created or changed. Revival listens: a list's "Tahun RAT Terakhir" is evidence
of a RAT held, and ``last_rat_year`` is derived from RAT records (portal/revival/)."""

from blinker import Namespace

_signals = Namespace()

registry_imported = _signals.signal("registry-imported")
