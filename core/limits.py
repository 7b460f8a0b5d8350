"""Size limits checked before anything is allocated, so no input can exhaust memory.

Every reader compares what a file *declares* (an image header's width x height,
an IDX header's dimensions, a pickled array's shape, a journal's mask size)
against these limits before decoding, and refuses with one line naming the
file and the environment variable that raises the limit. The defaults sit far
above real datasets (MNIST: 47 MB of pixels; Carvana: 2.5 megapixel photos)
and far below what would hurt a laptop: together they keep any input under
10 MB below 1 GB of memory. docs/safety.md lists them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from core.errors import CnnLyticalError


@dataclass(frozen=True)
class Limit:
    env: str        # environment variable that overrides the default
    default: int
    what: str       # one line for docs and error messages

    def value(self) -> int:
        """The limit now (read on each call, so tests and users can change it)."""
        text = os.environ.get(self.env)
        if text is None or not text.strip():
            return self.default
        try:
            value = int(float(text))
        except ValueError:
            raise CnnLyticalError(f"${self.env}={text!r}: expected a whole number") from None
        if value < 1:
            raise CnnLyticalError(f"${self.env}={text!r}: must be at least 1")
        return value

    def hint(self) -> str:
        return f"raise it with {self.env}"


IMAGE_PIXELS = Limit("CNN_LYTICAL_MAX_IMAGE_PIXELS", 1 << 26,
                     "pixels (width x height) of one image or mask file; about 8192x8192")
ARRAY_BYTES = Limit("CNN_LYTICAL_MAX_ARRAY_BYTES", 1 << 30,
                    "bytes an IDX file or a pickled CIFAR array may declare (1 GiB)")
GZIP_RATIO = Limit("CNN_LYTICAL_MAX_GZIP_RATIO", 50,
                   "declared size over compressed size of a .gz dataset file (MNIST: 5)")
MODEL_PARAMETERS = Limit("CNN_LYTICAL_MAX_MODEL_PARAMETERS", 100_000_000,
                         "parameters of a model built from options (fcn_resnet50: 33 million)")
IMAGE_SIDE = Limit("CNN_LYTICAL_MAX_IMAGE_SIDE", 4096,
                   "--image-size, the working side length a model trains at")
TRAIN_PIXELS = Limit("CNN_LYTICAL_MAX_TRAIN_PIXELS", 1 << 22,
                     "pixels of an image trained at its own size (--image-size 0); 2048x2048")

ALL = (IMAGE_PIXELS, ARRAY_BYTES, GZIP_RATIO, MODEL_PARAMETERS, IMAGE_SIDE, TRAIN_PIXELS)
