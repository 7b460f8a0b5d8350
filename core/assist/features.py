"""Per-pixel filter features at several scales: ilastik's set, computed with OpenCV.

For each colour channel and each scale ``sigma`` (in pixels of the image given):
Gaussian smoothing, Laplacian of Gaussian, gradient magnitude, difference of
Gaussians, the two structure-tensor eigenvalues and the two Hessian eigenvalues.
Derivatives are central differences of the smoothed image, so on a quadratic
surface they are exact (the tests check hand-computed values). Everything is
float32: a 640x430 RGB image with six scales gives 144 features, 160 MB.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

DEFAULT_SIGMAS = (0.7, 1.0, 1.6, 3.5, 5.0, 10.0)
DOG_RATIO = 0.66          # ilastik's difference of Gaussians: sigma minus 0.66 sigma
STRUCTURE_OUTER = 0.5     # structure tensor window, as a fraction of the gradient scale
FAMILIES = ("smoothed", "laplacian", "gradient", "dog", "structure_1", "structure_2", "hessian_1", "hessian_2")

_FIRST = np.array([-0.5, 0.0, 0.5], np.float32)   # d/dx by central difference
_SECOND = np.array([1.0, -2.0, 1.0], np.float32)  # d2/dx2
_IDENTITY = np.array([0.0, 1.0, 0.0], np.float32)
_BORDER = cv2.BORDER_REFLECT
MERGE_CHANNELS = 64  # cv2.merge takes at most CV_CN_MAX channels (128 in OpenCV 5)


COLOUR_SPACES = ("rgb", "lab", "rgb+chroma")


@dataclass(frozen=True)
class FeatureSettings:
    """Which scales and colour planes to compute; the families are always all eight of FAMILIES.

    ``colour``: the planes of a colour image the filters run on. "rgb" as given;
    "lab" CIE L*a*b* (lightness apart from hue); "rgb+chroma" adds the chroma
    sqrt(a*^2 + b*^2) as a fourth plane. Grey images have one plane whatever it says.
    """

    sigmas: tuple[float, ...] = DEFAULT_SIGMAS
    colour: str = "rgb"

    def __post_init__(self):
        if not self.sigmas or any(s <= 0 for s in self.sigmas):
            raise ValueError(f"sigmas must be positive and at least one; got {self.sigmas}")
        if self.colour not in COLOUR_SPACES:
            raise ValueError(f"colour must be one of {COLOUR_SPACES}; got {self.colour!r}")

    def planes(self, channels: int) -> int:
        """Planes the filters run on for an image of ``channels`` channels."""
        return channels + 1 if channels == 3 and self.colour == "rgb+chroma" else channels

    def count(self, channels: int) -> int:
        return self.planes(channels) * len(self.sigmas) * len(FAMILIES)

    def names(self, channels: int) -> list[str]:
        return [f"{family}(c{c}, {s:g})" for c in range(self.planes(channels)) for s in self.sigmas
                for family in FAMILIES]


def colour_planes(image: np.ndarray, colour: str) -> np.ndarray:
    """(H, W, C) image -> (H, W, P) float32 planes in the colour space asked for (see FeatureSettings)."""
    planes = np.asarray(image, np.float32)
    if planes.shape[2] != 3 or colour == "rgb":
        return planes
    scale = 1.0 / 255.0 if np.asarray(image).dtype == np.uint8 else 1.0
    lab = cv2.cvtColor(np.ascontiguousarray(planes * scale), cv2.COLOR_RGB2Lab)  # L 0..100, a, b about -128..127
    if colour == "lab":
        return lab
    chroma = cv2.magnitude(np.ascontiguousarray(lab[..., 1]), np.ascontiguousarray(lab[..., 2]))
    return np.dstack([planes, chroma])


def gaussian(channel: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian smoothing (kernel 8 sigma + 1 wide, mirrored border)."""
    return cv2.GaussianBlur(channel, (0, 0), sigmaX=sigma, sigmaY=sigma, borderType=_BORDER)


def _derivative(image: np.ndarray, kernel_x: np.ndarray, kernel_y: np.ndarray) -> np.ndarray:
    return cv2.sepFilter2D(image, cv2.CV_32F, kernel_x, kernel_y, borderType=_BORDER)


def gradients(smoothed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(d/dx, d/dy) of an already smoothed channel."""
    return _derivative(smoothed, _FIRST, _IDENTITY), _derivative(smoothed, _IDENTITY, _FIRST)


def second_derivatives(smoothed: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(d2/dx2, d2/dy2, d2/dxdy) of an already smoothed channel."""
    return (_derivative(smoothed, _SECOND, _IDENTITY), _derivative(smoothed, _IDENTITY, _SECOND),
            _derivative(smoothed, _FIRST, _FIRST))


def symmetric_eigenvalues(xx: np.ndarray, yy: np.ndarray, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (larger, smaller) of the 2x2 symmetric matrices [[xx, xy], [xy, yy]] per pixel."""
    mean = cv2.addWeighted(xx, 0.5, yy, 0.5, 0.0)
    radius = cv2.magnitude(cv2.addWeighted(xx, 0.5, yy, -0.5, 0.0), xy)
    return cv2.add(mean, radius), cv2.subtract(mean, radius)


def gradient_magnitude(channel: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.magnitude(*gradients(gaussian(channel, sigma)))


def laplacian_of_gaussian(channel: np.ndarray, sigma: float) -> np.ndarray:
    xx, yy, _ = second_derivatives(gaussian(channel, sigma))
    return cv2.add(xx, yy)


def difference_of_gaussians(channel: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.subtract(gaussian(channel, sigma), gaussian(channel, DOG_RATIO * sigma))


def structure_tensor_eigenvalues(channel: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues of the gradient outer product (gradients at ``sigma``) averaged over ``sigma / 2``."""
    gx, gy = gradients(gaussian(channel, sigma))
    return _structure_from_gradients(gx, gy, sigma)


def _structure_from_gradients(gx: np.ndarray, gy: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    outer = STRUCTURE_OUTER * sigma
    return symmetric_eigenvalues(gaussian(cv2.multiply(gx, gx), outer), gaussian(cv2.multiply(gy, gy), outer),
                                 gaussian(cv2.multiply(gx, gy), outer))


def hessian_eigenvalues(channel: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    return symmetric_eigenvalues(*second_derivatives(gaussian(channel, sigma)))


def channel_features(channel: np.ndarray, sigma: float) -> list[np.ndarray]:
    """The eight FAMILIES of one (H, W) float32 channel at one scale, as planes."""
    smoothed = gaussian(channel, sigma)
    gx, gy = gradients(smoothed)
    xx, yy, xy = second_derivatives(smoothed)
    return [smoothed, cv2.add(xx, yy), cv2.magnitude(gx, gy),
            cv2.subtract(smoothed, gaussian(channel, DOG_RATIO * sigma)),
            *_structure_from_gradients(gx, gy, sigma), *symmetric_eigenvalues(xx, yy, xy)]


def pixel_features(image: np.ndarray, settings: FeatureSettings = FeatureSettings()) -> np.ndarray:
    """(H, W) or (H, W, C) image -> (H, W, F) float32 features, F = settings.count(C).

    Feature order: colour plane, then sigma, then FAMILIES (see ``settings.names``).
    """
    image = np.asarray(image)
    if image.ndim == 2:
        image = image[..., None]
    if image.ndim != 3 or image.shape[0] < 1 or image.shape[1] < 1:
        raise ValueError(f"an image must be (H, W) or (H, W, C); got shape {image.shape}")
    colour = colour_planes(image, settings.colour)
    planes = []
    for c in range(colour.shape[2]):
        channel = np.ascontiguousarray(colour[..., c])
        for sigma in settings.sigmas:
            planes.extend(channel_features(channel, sigma))
    return interleave(planes)


def interleave(planes: list[np.ndarray]) -> np.ndarray:
    """F planes (H, W) -> one (H, W, F) array: a pixel's features side by side, as a forest reads them."""
    height, width = planes[0].shape
    out = np.empty((height, width, len(planes)), np.float32)
    for start in range(0, len(planes), MERGE_CHANNELS):
        chunk = planes[start:start + MERGE_CHANNELS]
        out[..., start:start + len(chunk)] = cv2.merge(chunk) if len(chunk) > 1 else chunk[0][..., None]
    return out
