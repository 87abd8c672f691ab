"""What the registry tells the capabilities after it. Sent inside the transaction of the change.

``registry_imported``: sender the acting user (None from the command line), ``cooperative_ids``
those the import created or changed. Revival listens: a list's "Tahun RAT Terakhir" is evidence
of a RAT held, and ``last_rat_year`` is derived from RAT records (portal/revival/).

``cooperatives_renamed``: sender the acting user, ``cooperative_ids`` those whose name changed
(by hand or by an import), sent once the new names are set. Invitations listen: each keeps its
guest's name as its sort key (portal/invitations/)."""

from blinker import Namespace

_signals = Namespace()

registry_imported = _signals.signal("registry-imported")
cooperatives_renamed = _signals.signal("cooperatives-renamed")
