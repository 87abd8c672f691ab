"""Dependencies point one way, checked over every module of portal/ with ``ast`` (as
test_access walks the route table): a capability's forms are its own, and only mail touches the
outbox's rows."""

import ast
from pathlib import Path

import portal

PORTAL = Path(portal.__file__).resolve().parent
OUTBOX_ROWS = {"OutboxMessage", "OutboxAttachment"}


def _capability(path: Path) -> str | None:
    """The capability a module belongs to; None for the shared modules beside them."""
    parts = path.relative_to(PORTAL).parts
    return parts[0] if len(parts) > 1 else None


def _module_name(path: Path) -> str:
    parts = path.relative_to(PORTAL.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(tree: ast.AST, module: str):
    """``(line, imported module or module.name)`` for every import, those inside functions too."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")[:-node.level] if not module.endswith("__init__") else module.split(".")
                base = ".".join([*package, *([base] if base else [])])
            yield node.lineno, base
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"


def foreign_forms(source: str, path: Path) -> list[str]:
    """Imports of another capability's ``forms.py`` (labels, validators or forms alike)."""
    own = _capability(path)
    found = []
    for line, name in _imports(ast.parse(source), _module_name(path)):
        parts = name.split(".")
        if len(parts) >= 3 and parts[0] == "portal" and parts[2] == "forms" and parts[1] != own:
            found.append(f"{path.relative_to(PORTAL.parent)}:{line} imports {name}")
    return found


def outbox_rows(source: str, path: Path) -> list[str]:
    """Uses of the outbox's models outside mail: imported by name, or reached as an attribute."""
    if _capability(path) == "mail":
        return []
    tree = ast.parse(source)
    imported = ((line, name.rpartition(".")) for line, name in _imports(tree, _module_name(path)))
    found = {(line, name) for line, (module, _dot, name) in imported
             if module == "portal.mail.models" and name in OUTBOX_ROWS}
    found |= {(node.lineno, node.attr) for node in ast.walk(tree)
              if isinstance(node, ast.Attribute) and node.attr in OUTBOX_ROWS}
    return [f"{path.relative_to(PORTAL.parent)}:{line} uses {name}" for line, name in sorted(found)]


def _modules():
    return sorted(PORTAL.rglob("*.py"))


def test_no_module_imports_another_capabilitys_forms():
    offences = [offence for path in _modules() for offence in foreign_forms(path.read_text(), path)]
    assert offences == []


def test_only_mail_touches_the_outbox_rows():
    offences = [offence for path in _modules() for offence in outbox_rows(path.read_text(), path)]
    assert offences == []


def test_the_checks_see_every_way_of_importing():
    """The control: each spelling is caught, so an empty list above means something."""
    path = PORTAL / "invitations" / "views.py"
    source = "\n".join([
        "from portal.registrations.forms import SignUpForm",
        "from portal.cooperatives import forms",
        "import portal.events.forms as event_forms",
        "from ..attendance.forms import WalkInForm",
        "from portal.invitations.forms import SendForm",
        "def later():",
        "    from portal.mail.models import OutboxMessage",
        "    from portal.mail import models",
        "    return models.OutboxAttachment",
    ])
    assert [offence.split(" imports ")[1] for offence in foreign_forms(source, path)] == [
        "portal.registrations.forms", "portal.registrations.forms.SignUpForm", "portal.cooperatives.forms",
        "portal.events.forms", "portal.attendance.forms", "portal.attendance.forms.WalkInForm"]
    assert [offence.split(" uses ")[1] for offence in outbox_rows(source, path)] == [
        "OutboxMessage", "OutboxAttachment"]
    assert outbox_rows(source, PORTAL / "mail" / "delivery.py") == []


# Each capability's place in the layers (docs/architecture.md): a capability imports only those
# of a lower place; the first four share one and may use each other. ``files``, ``mail`` and
# ``documents`` serve all: the features above the first three are none of their business.
LAYERS = {"accounts": 0, "audit": 0, "settings": 0, "privacy": 0, "cooperatives": 1, "events": 2, "registrations": 3,
          "invitations": 4, "attendance": 4, "certificates": 5, "revival": 6,
          "reports": 7}
SERVING = {"files", "mail", "documents"}


def layer_offences(source: str, path: Path) -> list[str]:
    own = _capability(path)
    found = []
    for line, name in _imports(ast.parse(source), _module_name(path)):
        parts = name.split(".")
        target = parts[1] if len(parts) >= 2 and parts[0] == "portal" else None
        if target is None or target == own or target not in LAYERS:
            continue
        too_high = own in LAYERS and (LAYERS[target] > LAYERS[own] or (LAYERS[target] == LAYERS[own] > 0))
        if too_high or (own in SERVING and LAYERS[target] > 0):
            found.append(f"{path.relative_to(PORTAL.parent)}:{line} imports {name}")
    return found


def test_capabilities_import_only_the_layers_before_them():
    offences = sorted({offence for path in _modules() for offence in layer_offences(path.read_text(), path)})
    assert offences == []


def test_the_layer_check_sees_an_import_the_wrong_way():
    assert layer_offences("from portal.revival.queries import rat_records_of", PORTAL / "cooperatives" / "views.py")
    assert layer_offences("import portal.attendance.models", PORTAL / "invitations" / "services.py")
    assert layer_offences("from portal.cooperatives.models import Cooperative", PORTAL / "files" / "services.py")
    assert not layer_offences("from portal.cooperatives.models import Cooperative", PORTAL / "revival" / "models.py")
