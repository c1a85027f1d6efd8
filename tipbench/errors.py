"""One exception hierarchy; each `__str__` is the sentence a user reads after `error: `."""

from __future__ import annotations


class TipbenchError(Exception):
    """Base of every error a user can cause or fix (bad data, config, missing files)."""


class ConfigError(TipbenchError, ValueError):
    """An invalid option or config value."""


class PromptError(TipbenchError, ValueError):
    """A restoration prompt that does not follow the grammar (protocol §3)."""


class DegradationInputError(TipbenchError, ValueError):
    """An image passed to the degradation API that cannot be used as is."""


class ManifestError(TipbenchError):
    """A split or run folder whose files do not match the contracts."""


class SourceError(TipbenchError):
    """A dataset source root that is missing, malformed or has the wrong checksum."""


class RestorerError(TipbenchError):
    """A restorer that cannot run (missing clone, failed subprocess, bad output)."""


class MissingWeightsError(TipbenchError):
    """One or more weight files are missing or corrupt; the message lists every one of them."""

    def __init__(self, missing: list[dict]) -> None:
        self.missing = list(missing)
        lines = [f"{len(self.missing)} weight file(s) missing or corrupt:"]
        for item in self.missing:
            lines.append(
                f"  - {item['name']}: {item.get('problem', 'missing')}; put `{item['file_name']}` in "
                f"{item['put_in']} (get it from {item['source']})"
            )
        super().__init__("\n".join(lines))


def os_error_text(exc: OSError) -> str:
    """The one-line `error: …` text of a file-system failure (unwritable output folder, unreadable input, disk full).

    >>> os_error_text(NotADirectoryError(20, "Not a directory", "/tmp/file/out"))
    'Not a directory: `/tmp/file/out`'
    """
    where = f": `{exc.filename}`" if exc.filename else ""
    return f"{exc.strerror or exc}{where}"


class ImageFileError(TipbenchError):
    """An image file the package cannot open safely: not an image, truncated, or over the pixel limit (a
    decompression bomb is refused from its header, before any pixel is decoded)."""
