#pragma once
// The verbs of inkstone-cli. Each verb lives in its own file and registers itself with a
// static VerbRegistration; main.cpp only dispatches.
//
// Exit status contract (DESIGN.md): 0 success, 1 bad usage, 2 bad input with exactly one line
// on stderr starting with "error: ".

#include <QStringList>

#include <functional>

namespace cli {

enum ExitCode { ExitOk = 0, ExitUsage = 1, ExitBadInput = 2 };

struct Verb {
    const char* name;
    const char* summary;                       // one line for `inkstone-cli --help`
    std::function<int(const QStringList& args)> run; // args[0] is "inkstone-cli <verb>"
};

struct VerbRegistration {
    explicit VerbRegistration(Verb verb);
};

const std::vector<Verb>& verbs();

// Prints "error: <message>" on stderr and returns ExitBadInput.
int failInput(const QString& message);
// Prints "error: <message>" on stderr and returns ExitUsage.
int failUsage(const QString& message);

} // namespace cli
