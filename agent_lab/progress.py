"""Progress bars with an ETA for the long steps of every notebook: a widget in a live notebook, a
text line in a notebook executed by `make course`.

In JupyterLab tqdm's widget bar updates in place. A notebook executed in a batch (papermill, the
course harness) is read later as a file, and a widget saved there shows its first frame
("0/16") for ever. So the harness sets `AGENT_LAB_TEXT_PROGRESS=1` for its kernels: bars are then
plain text on stdout, and the harness keeps the last state of each line, e.g.
`probe: react: 100%|##########| 16/16 [07:55<00:00, 29.72s/it]`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

TEXT_ENV = "AGENT_LAB_TEXT_PROGRESS"
# What the harness sets for the kernels it runs: our bars as text; the libraries' own bars
# (transformers' "Loading weights", datasets' "Map") off -- saved as widgets, they read "0/272".
BATCH_ENV = {
    TEXT_ENV: "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "HF_DATASETS_DISABLE_PROGRESS_BARS": "1",
}


def progress(iterable=None, **kwargs):
    """`tqdm(iterable, **kwargs)`: `tqdm.auto` (a widget in Jupyter), or a text bar on stdout
    that redraws at most every 10 s when `AGENT_LAB_TEXT_PROGRESS` is set. There a bar with
    `leave=False` (one inside another: the batches of one evaluation suite) is not drawn: a live
    notebook clears it when it ends, but as text each redraw of a nested bar is a line of its
    own, and the saved notebook showed dozens of them."""
    if os.environ.get(TEXT_ENV):
        from tqdm.std import tqdm

        kwargs = {"file": sys.stdout, "ascii": True, "mininterval": 10.0, **kwargs}
        if kwargs.get("leave") is False:
            kwargs["disable"] = True
    else:
        from tqdm.auto import tqdm
    return tqdm(iterable, **kwargs)


def fold_streams(path: Path) -> None:
    """Rewrite an executed notebook with each run of consecutive stream outputs as one, and text
    redrawn with a carriage return (a progress bar) at its last state (nbconvert's
    `CoalesceStreamsPreprocessor`): what the file shows is what the live notebook showed."""
    import nbformat
    from nbconvert.preprocessors import CoalesceStreamsPreprocessor

    nb = nbformat.read(path, as_version=4)
    CoalesceStreamsPreprocessor(enabled=True).preprocess(nb, {})
    nbformat.write(nb, path)
