#pragma once
// Puts settings and data of a GUI test in a fresh temporary folder, so tests never see the
// user's files or each other's.

#include <QCoreApplication>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>

inline void isolateTestEnvironment(QTemporaryDir& dir)
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("InkstoneTests"));
    QCoreApplication::setApplicationName(QStringLiteral("inkstone-tests"));
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, dir.path());
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir.path());
    QSettings().clear();
}
