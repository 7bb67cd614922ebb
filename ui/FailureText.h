#pragma once
// Turns a ServiceFailure into a sentence a person can act on. The engine never produces
// translated text; this is the one place its error kinds become tr() strings.

#include "ServiceTypes.h"

#include <QCoreApplication>

class FailureText {
    Q_DECLARE_TR_FUNCTIONS(FailureText)
public:
    static QString summary(const ServiceFailure& failure);
    // Summary plus the engine's detail on a second line, when there is one.
    static QString full(const ServiceFailure& failure);
};
