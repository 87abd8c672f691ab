"""Charts drawn on the server as SVG, with matplotlib.

Why matplotlib: it is the best-kept Python chart library, draws with no browser and no script,
and with ``svg.fonttype = 'none'`` keeps every label as text, so the chart reads in a screen
reader's "view image", scales on a 360-px phone and stays searchable in the PDF (WeasyPrint draws
the same SVG). pygal would need its tooltip script switched off and styles its SVG with an
inline stylesheet; matplotlib's SVG has neither script nor anything fetched.

The figure is drawn with the Agg backend (no display), one chart per call, closed at once so a
long-running server keeps no figure in memory. Horizontal bars: long Indonesian labels (district
names, programme areas) stay readable at phone width.
"""

import io
import textwrap
import threading

COLOURS = ("#1f5f8b", "#e07b39", "#3a8f5c", "#9c3d54", "#6c5ba7")
_LOCK = threading.Lock()  # pyplot's figure registry is not thread-safe
LABEL_WIDTH = 24  # characters a label line holds; a long event title wraps onto at most three lines
LABEL_LINES = 3


def wrapped(label: str) -> str:
    """A label on lines of ``LABEL_WIDTH`` characters, at most ``LABEL_LINES`` (the rest cut with
    an ellipsis): a long event title leaves the bars room on a phone. The table holds it whole."""
    lines = textwrap.wrap(str(label), LABEL_WIDTH) or [""]
    if len(lines) > LABEL_LINES:
        lines = [*lines[:LABEL_LINES - 1], textwrap.shorten(" ".join(lines[LABEL_LINES - 1:]), LABEL_WIDTH,
                                                             placeholder="…")]
    return "\n".join(lines)


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams.update({"svg.fonttype": "none", "font.family": "sans-serif", "font.size": 10,
                                "svg.hashsalt": "portal"})
    from matplotlib import pyplot

    return pyplot


def bar_chart(title: str, labels: list[str], series: dict[str, list[float]]) -> str:
    """Horizontal grouped bars: one group per label, one bar per series; the SVG as text."""
    pyplot = _pyplot()
    labels = [wrapped(label) for label in labels]
    count = max(len(labels), 1)
    lines = max((label.count("\n") + 1 for label in labels), default=1)
    # 4.8 in (346 pt) wide: on a 360-px phone the SVG is drawn near its own size, so 10-pt text
    # stays about 10 px; on a laptop it scales up. Each group as tall as its bars or its label.
    height = 1.5 + count * max(0.3 + 0.24 * len(series), 0.17 * lines + 0.1)
    with _LOCK:
        figure, axes = pyplot.subplots(figsize=(4.8, min(height, 40)))
        try:
            width = 0.8 / max(len(series), 1)
            for n, (name, values) in enumerate(series.items()):
                positions = [i + n * width for i in range(len(labels))]
                bars = axes.barh(positions, values, height=width, label=name, color=COLOURS[n % len(COLOURS)])
                axes.bar_label(bars, fmt="%g", padding=2, fontsize=9)
            axes.tick_params(axis="y", labelsize=9)
            axes.set_yticks([i + width * (len(series) - 1) / 2 for i in range(len(labels))], labels)
            axes.invert_yaxis()
            figure.suptitle(title, x=0.02, ha="left", fontsize=11)  # over the labels too: never cut
            axes.spines[["top", "right"]].set_visible(False)
            axes.xaxis.get_major_locator().set_params(integer=True)
            if len(series) > 1:  # under the axes, so it never covers a bar
                axes.legend(loc="upper center", bbox_to_anchor=(0.4, -0.08), ncol=len(series), fontsize=9,
                            frameon=False)
            figure.tight_layout()
            buffer = io.StringIO()
            figure.savefig(buffer, format="svg", metadata={"Date": None})
        finally:
            pyplot.close(figure)
    return buffer.getvalue()
