"""The one exception type ganzoo raises for bad input.

Every message is one sentence that names the thing, the value and the fix. Entry
points print it without a traceback.
"""


class GanzooError(ValueError):
    """Bad input to ganzoo: a dataset name, a config key, a path, a shape."""
