"""The live camera picture, or, without a camera, a clear message in its place."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

from kiosk.app import theme


class CameraView(QWidget):
    """Paints the newest preview frame, scaled to fit; says why when there is none."""

    frame_painted = Signal()  # the last frame given is on screen: the camera may send the next

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("cameraView")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 180)
        self._image: QImage | None = None
        self._fresh = False
        self.message = "Starting the camera…"

    def sizeHint(self) -> QSize:
        return QSize(560, 315)

    def show_frame(self, image: QImage) -> None:
        self._image, self._fresh = image, True
        self.message = ""
        self.update()

    def show_message(self, message: str) -> None:
        self._image, self._fresh = None, False
        self.message = message
        self.update()

    @property
    def has_picture(self) -> bool:
        return self._image is not None

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#101418"))
        if self._image is not None:
            scaled = self._image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect((self.width() - scaled.width()) // 2, (self.height() - scaled.height()) // 2,
                           scaled.width(), scaled.height())
            p.drawImage(target, self._image)
        else:
            p.setPen(QColor("#ffffff"))
            p.setFont(theme.font(18, bold=True))
            p.drawText(self.rect().adjusted(24, 24, -24, -24),
                       Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.message)
        p.end()
        if self._fresh:
            self._fresh = False
            self.frame_painted.emit()
