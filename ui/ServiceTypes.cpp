#include "ServiceTypes.h"

QString ChatMessage::roleName(Role role)
{
    switch (role) {
    case Role::System: return QStringLiteral("system");
    case Role::User: return QStringLiteral("user");
    case Role::Assistant: return QStringLiteral("assistant");
    }
    return QStringLiteral("user");
}

ChatMessage::Role ChatMessage::roleFromName(const QString& name)
{
    if (name == QLatin1String("system"))
        return Role::System;
    if (name == QLatin1String("assistant"))
        return Role::Assistant;
    return Role::User;
}
