#pragma once
// The application icon: the desktop theme's (installed from resources/icons/inkstone.svg by
// the package) when there is one, otherwise painted here from the same shapes, because the Qt
// build on Debian 12 has no SVG plugin by default.

#include <QIcon>

namespace AppIcon {
QIcon icon();
}
