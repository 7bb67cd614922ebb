#include "AppIcon.h"

#include <QLinearGradient>
#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

namespace AppIcon {

namespace {

QPixmap paint(int size)
{
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    p.scale(size / 256.0, size / 256.0);
    p.setPen(Qt::NoPen);
    QLinearGradient stone(0, 20, 0, 236);
    stone.setColorAt(0, QColor(0x4a, 0x55, 0x63));
    stone.setColorAt(1, QColor(0x26, 0x2d, 0x36));
    p.setBrush(stone);
    p.drawRoundedRect(QRectF(36, 20, 184, 216), 36, 36);
    p.setBrush(QColor(0x35, 0x3e, 0x4a));
    p.drawRoundedRect(QRectF(52, 36, 152, 184), 26, 26);
    p.setBrush(QColor(0x12, 0x18, 0x22));
    p.drawEllipse(QPointF(128, 72), 52, 20);
    QPainterPath stroke;
    stroke.moveTo(78, 182);
    stroke.cubicTo(100, 130, 150, 120, 178, 142);
    stroke.cubicTo(160, 136, 130, 142, 112, 170);
    stroke.cubicTo(104, 182, 92, 190, 78, 182);
    p.setBrush(QColor(0x42, 0x85, 0xf4));
    p.drawPath(stroke);
    p.drawEllipse(QPointF(178, 142), 7, 7);
    return pixmap;
}

} // namespace

QIcon icon()
{
    QIcon painted;
    for (int size : {16, 24, 32, 48, 64, 128, 256})
        painted.addPixmap(paint(size));
    return QIcon::fromTheme(QStringLiteral("io.github.inkstone.Inkstone"), painted);
}

} // namespace AppIcon
